// SPDX-License-Identifier: BSD-3-Clause
// Histogram: latency recording with log-linear buckets. Values below 128 are
// exact; above, each power of two is split into 128 linear sub-buckets, so a
// reported percentile is within 0.4 % of a true sample value (the bucket
// midpoint is reported). Min, max, count and sum (hence mean) are exact.
// Recording is a few integer operations and no allocation; histograms of
// several fibers, runs or processes merge by adding counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace benchfs {

class Histogram {
 public:
  Histogram();

  void Record(uint64_t value);
  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }
  // The value at quantile q in [0, 1] (0.5 = median, 0.999 = p99.9).
  uint64_t Percentile(double q) const;

  // Raw bucket access, for serialising (e.g. in a STATUS reply).
  const std::vector<uint64_t>& buckets() const { return buckets_; }
  // Rebuilds from serialised buckets plus the exact min, max and sum.
  static Histogram FromBuckets(std::vector<uint64_t> buckets, uint64_t min, uint64_t max,
                               uint64_t sum);
  uint64_t sum() const { return sum_; }

  static constexpr int kSubBits = 7;                 // 128 sub-buckets per power of two
  static constexpr uint64_t kMaxValue = (1ull << 44) - 1;  // ~4.9 hours in ns; larger clamps
  static size_t BucketOf(uint64_t value);
  static uint64_t LowerBound(size_t bucket);
  static uint64_t UpperBound(size_t bucket);  // exclusive

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace benchfs

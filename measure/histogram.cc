// SPDX-License-Identifier: BSD-3-Clause
// Histogram bucket arithmetic and percentile walk.
#include "measure/histogram.h"

#include <algorithm>
#include <bit>

namespace benchfs {
namespace {

constexpr uint64_t kSub = 1ull << Histogram::kSubBits;
// Buckets: [0, kSub) exact, then kSub per power of two from 2^kSubBits to 2^44.
constexpr size_t kBuckets = kSub + (44 - Histogram::kSubBits) * kSub;

}  // namespace

Histogram::Histogram() : buckets_(kBuckets, 0) {}

size_t Histogram::BucketOf(uint64_t v) {
  if (v > kMaxValue) v = kMaxValue;
  if (v < kSub) return static_cast<size_t>(v);
  const int e = 63 - std::countl_zero(v);  // v in [2^e, 2^(e+1)), e >= kSubBits
  const uint64_t sub = (v >> (e - kSubBits)) & (kSub - 1);
  return static_cast<size_t>(kSub + static_cast<uint64_t>(e - kSubBits) * kSub + sub);
}

uint64_t Histogram::LowerBound(size_t b) {
  if (b < kSub) return b;
  const uint64_t e = (b - kSub) / kSub + kSubBits;
  const uint64_t sub = (b - kSub) % kSub;
  return (1ull << e) + (sub << (e - kSubBits));
}

uint64_t Histogram::UpperBound(size_t b) {
  if (b < kSub) return b + 1;
  const uint64_t e = (b - kSub) / kSub + kSubBits;
  return LowerBound(b) + (1ull << (e - kSubBits));
}

void Histogram::Record(uint64_t value) {
  ++buckets_[BucketOf(value)];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::Merge(const Histogram& o) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  if (o.count_ > 0) {
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
  }
}

void Histogram::Reset() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

uint64_t Histogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the sample at quantile q (nearest-rank, 1-based).
  uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_) + 0.5);
  rank = std::clamp<uint64_t>(rank, 1, count_);
  if (rank == count_) return max_;
  if (rank == 1) return min();
  uint64_t seen = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= rank) {
      if (b < kSub) return b;
      const uint64_t mid = LowerBound(b) + (UpperBound(b) - LowerBound(b)) / 2;
      return std::clamp(mid, min(), max_);
    }
  }
  return max_;
}

Histogram Histogram::FromBuckets(std::vector<uint64_t> buckets, uint64_t min, uint64_t max,
                                 uint64_t sum) {
  Histogram h;
  if (buckets.size() != h.buckets_.size()) return h;
  h.buckets_ = std::move(buckets);
  for (uint64_t c : h.buckets_) h.count_ += c;
  h.min_ = h.count_ == 0 ? UINT64_MAX : min;
  h.max_ = max;
  h.sum_ = sum;
  return h;
}

}  // namespace benchfs

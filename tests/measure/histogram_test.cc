// SPDX-License-Identifier: BSD-3-Clause
// Histogram accuracy: every percentile within 1 % of the exact sample value
// on several distributions; merge equals recording everything in one.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "measure/histogram.h"

namespace benchfs {
namespace {

uint64_t Exact(std::vector<uint64_t> v, double q) {
  std::sort(v.begin(), v.end());
  uint64_t rank = static_cast<uint64_t>(q * v.size() + 0.5);
  rank = std::clamp<uint64_t>(rank, 1, v.size());
  return v[rank - 1];
}

void CheckAccuracy(const std::vector<uint64_t>& samples, const char* what) {
  Histogram h;
  for (uint64_t s : samples) h.Record(s);
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double exact = static_cast<double>(Exact(samples, q));
    const double got = static_cast<double>(h.Percentile(q));
    EXPECT_LE(std::abs(got - exact), 0.01 * exact + 0.5) << what << " q=" << q << " exact=" << exact
                                                         << " got=" << got;
  }
  EXPECT_EQ(h.count(), samples.size());
  EXPECT_EQ(h.min(), *std::min_element(samples.begin(), samples.end()));
  EXPECT_EQ(h.max(), *std::max_element(samples.begin(), samples.end()));
}

TEST(Histogram, PercentilesWithinOnePercent) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> uniform, lognormal, bimodal, small;
  std::uniform_int_distribution<uint64_t> u(1000, 2000000);
  std::lognormal_distribution<double> ln(10.0, 1.5);
  for (int i = 0; i < 200000; ++i) {
    uniform.push_back(u(rng));
    lognormal.push_back(static_cast<uint64_t>(ln(rng)) + 1);
    bimodal.push_back(i % 10 == 0 ? 150000000 + rng() % 1000000 : 20000 + rng() % 5000);
    small.push_back(rng() % 300);
  }
  CheckAccuracy(uniform, "uniform");
  CheckAccuracy(lognormal, "lognormal");
  CheckAccuracy(bimodal, "bimodal");
  CheckAccuracy(small, "small");
}

TEST(Histogram, BucketBoundsAreTight) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 129ull, 255ull, 256ull, 1000ull, 123456789ull,
                     (1ull << 43) + 12345}) {
    size_t b = Histogram::BucketOf(v);
    EXPECT_LE(Histogram::LowerBound(b), v);
    EXPECT_GT(Histogram::UpperBound(b), v);
    const double width = static_cast<double>(Histogram::UpperBound(b) - Histogram::LowerBound(b));
    EXPECT_LE(width, std::max(1.0, static_cast<double>(v) / 128.0)) << v;
  }
}

TEST(Histogram, MergeAndSerialiseRoundTrip) {
  Histogram a, b, all;
  for (uint64_t i = 1; i < 50000; ++i) {
    (i % 2 ? a : b).Record(i * 37);
    all.Record(i * 37);
  }
  a.Merge(b);
  for (double q : {0.5, 0.99, 0.999}) EXPECT_EQ(a.Percentile(q), all.Percentile(q));
  EXPECT_EQ(a.count(), all.count());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  Histogram c = Histogram::FromBuckets(all.buckets(), all.min(), all.max(), all.sum());
  EXPECT_EQ(c.Percentile(0.9), all.Percentile(0.9));
  EXPECT_EQ(c.count(), all.count());
}

TEST(Histogram, EmptyAndHugeValues) {
  Histogram h;
  EXPECT_EQ(h.Percentile(0.5), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  h.Record(UINT64_MAX);  // clamped into the last bucket, max kept exact
  EXPECT_EQ(h.max(), UINT64_MAX);
  EXPECT_EQ(h.count(), 1u);
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// benchfs compare on synthetic rounds: a 20 % slowdown injected on purpose is
// found, the same point measured twice is "no change beyond noise", a row of
// one round gets a figure without a verdict, and result documents parse.
#include "measure/compare.h"

#include <gtest/gtest.h>

#include <random>

#include "measure/rounds.h"

namespace benchfs {
namespace {

// `n` rounds around `center` with +-`noise` relative jitter.
std::vector<double> Rounds(double center, double noise, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-noise, noise);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(center * (1 + u(rng)));
  return v;
}

TEST(Compare, FindsATwentyPercentSlowdown) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto a = Rounds(10.0, 0.04, 5, seed);
    const auto b = Rounds(12.0, 0.04, 5, seed + 100);
    const Change c = CompareSamples(a, b);
    ASSERT_TRUE(c.has_interval);
    EXPECT_GT(c.low, 0) << c.verdict;
    EXPECT_NEAR(c.change, 0.20, 0.08) << c.verdict;
    EXPECT_EQ(c.verdict.rfind("slower by", 0), 0u) << c.verdict;
  }
  const Change faster = CompareSamples(Rounds(12.0, 0.03, 5, 7), Rounds(10.0, 0.03, 5, 8));
  EXPECT_EQ(faster.verdict.rfind("faster by", 0), 0u) << faster.verdict;
}

TEST(Compare, TheSamePointTwiceIsNoChange) {
  int no_change = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const Change c = CompareSamples(Rounds(10.0, 0.10, 5, seed), Rounds(10.0, 0.10, 5, seed + 1000));
    ASSERT_TRUE(c.has_interval);
    no_change += c.verdict.rfind("no change beyond noise", 0) == 0;
  }
  // A 95 % interval: nearly every pair of runs of one point shows no change.
  EXPECT_GE(no_change, 18);
}

TEST(Compare, OneRoundGivesAFigureAndNoVerdict) {
  const Change c = CompareSamples({10.0}, {11.0});
  EXPECT_FALSE(c.has_interval);
  EXPECT_NEAR(c.change, 0.10, 1e-9);
  EXPECT_NE(c.verdict.find("no interval"), std::string::npos) << c.verdict;
}

TEST(Compare, ParsesResultDocumentsAndMatchesRows) {
  const std::string a = R"({"schema":"benchfs.result/2","results":[
    {"op":"stat","size":0,"qd":1,"p50_us":10,"p99_us":20,"round_figures":[
      {"p50_us":10,"p99_us":20,"ratio":1.1},{"p50_us":10.2,"p99_us":21,"ratio":1.12},{"p50_us":9.9,"p99_us":19,"ratio":1.09}]},
    {"op":"write","size":4096,"qd":1,"p50_us":30,"p99_us":60}]})";
  const std::string b = R"({"schema":"benchfs.result/2","results":[
    {"op":"stat","size":0,"qd":1,"p50_us":12,"p99_us":24,"round_figures":[
      {"p50_us":12,"p99_us":24,"ratio":1.3},{"p50_us":12.1,"p99_us":25,"ratio":1.31},{"p50_us":11.9,"p99_us":23,"ratio":1.29}]}]})";
  auto ra = ParseCompareRows(a, "a.json");
  auto rb = ParseCompareRows(b, "b.json");
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  ASSERT_EQ(ra->size(), 2u);
  EXPECT_EQ((*ra)[0].p50_us.size(), 3u);
  EXPECT_EQ((*ra)[1].p50_us.size(), 1u);
  const auto rows = CompareRuns(*ra, *rb);
  ASSERT_EQ(rows.size(), 1u);  // write has no partner in b
  EXPECT_EQ(rows[0].p50.verdict.rfind("slower by 20 %", 0), 0u) << rows[0].p50.verdict;
  ASSERT_TRUE(rows[0].ratio.has_value());
  EXPECT_EQ(rows[0].ratio->verdict.rfind("slower by", 0), 0u);
  EXPECT_NE(FormatComparison("a.json", "b.json", rows).find("stat - qd 1"), std::string::npos);
  EXPECT_FALSE(ParseCompareRows("{\"schema\":\"other\"}", "x.json").ok());
  EXPECT_FALSE(ParseCompareRows("not json", "y.json").ok());
}

}  // namespace
}  // namespace benchfs

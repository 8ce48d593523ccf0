// SPDX-License-Identifier: BSD-3-Clause
// The latency / CPU Pareto front and the budgeted choice on synthetic points.
#include <algorithm>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "sweep/pareto.h"

namespace benchfs {
namespace {

std::vector<size_t> Sorted(std::vector<size_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(Pareto, KeepsOnlyUndominatedPointsByIncreasingCores) {
  std::vector<TradeoffPoint> pts = {
      {0, 2.0, 10},   // busy-poll: fastest
      {1, 1.0, 100},  // parks
      {2, 1.5, 120},  // dominated by 1
      {3, 0.5, 400},  // frugal
      {4, 2.0, 11},   // dominated by 0
      {5, 1.2, 60},   // between 1 and 0
  };
  EXPECT_EQ(ParetoFront(pts), (std::vector<size_t>{3, 1, 5, 0}));
}

TEST(Pareto, IneligiblePointsAreLeftOut) {
  std::vector<TradeoffPoint> pts = {{0, 0.1, 5, false}, {1, 1.0, 100}, {2, 2.0, 10}};
  EXPECT_EQ(ParetoFront(pts), (std::vector<size_t>{1, 2}));
  EXPECT_EQ(Recommend(pts), std::optional<size_t>(2));
}

TEST(Pareto, IdenticalPointsAreBothKept) {
  std::vector<TradeoffPoint> pts = {{0, 1.0, 50}, {1, 1.0, 50}, {2, 2.0, 60}};
  EXPECT_EQ(Sorted(ParetoFront(pts)), (std::vector<size_t>{0, 1}));
}

TEST(Pareto, RecommendsTheFastestWithinTheBudget) {
  std::vector<TradeoffPoint> pts = {{0, 2.0, 10}, {1, 1.0, 100}, {2, 0.5, 400}, {3, 1.0, 90}};
  EXPECT_EQ(Recommend(pts, 1.0), std::optional<size_t>(3));
  EXPECT_EQ(Recommend(pts, 0.75), std::optional<size_t>(2));
  EXPECT_EQ(Recommend(pts, std::numeric_limits<double>::infinity()), std::optional<size_t>(0));
  EXPECT_EQ(Recommend(pts, 0.1), std::nullopt);
}

TEST(Pareto, TiesGoToFewerCores) {
  std::vector<TradeoffPoint> pts = {{0, 2.0, 50}, {1, 1.0, 50}, {2, 1.0, 50}};
  EXPECT_EQ(Recommend(pts), std::optional<size_t>(1));
}

TEST(Pareto, EmptyInput) {
  EXPECT_TRUE(ParetoFront({}).empty());
  EXPECT_EQ(Recommend({}), std::nullopt);
}

TEST(Pareto, RecommendationIsAlwaysOnTheFront) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> cores(0, 2);
  std::uniform_real_distribution<double> lat(1, 1000);
  for (int round = 0; round < 200; ++round) {
    std::vector<TradeoffPoint> pts;
    for (size_t i = 0; i < 12; ++i) pts.push_back({i, cores(rng), lat(rng), rng() % 4 != 0});
    const std::vector<size_t> front = ParetoFront(pts);
    for (double budget : {0.25, 0.5, 1.0, 1.5, std::numeric_limits<double>::infinity()}) {
      auto r = Recommend(pts, budget);
      if (!r) continue;
      EXPECT_NE(std::find(front.begin(), front.end(), *r), front.end()) << "round " << round;
      EXPECT_LE(pts[*r].cores, budget);
      EXPECT_TRUE(pts[*r].eligible);
    }
    // Nothing on the front is dominated by any eligible point.
    for (size_t f : front) {
      for (const TradeoffPoint& q : pts) {
        if (!q.eligible || q.id == f) continue;
        const bool dominates = q.cores <= pts[f].cores && q.latency_us <= pts[f].latency_us &&
                               (q.cores < pts[f].cores || q.latency_us < pts[f].latency_us);
        EXPECT_FALSE(dominates);
      }
    }
  }
}

}  // namespace
}  // namespace benchfs

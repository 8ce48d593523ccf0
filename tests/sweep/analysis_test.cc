// SPDX-License-Identifier: BSD-3-Clause
// Analysis of synthetic sweep results: floors, detector verdicts and the
// audit, the Pareto flags, recommendations per budget (gated and quantized
// points never chosen; "mostly idle" only among points that park) and the
// seed check.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "sweep/analysis.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

struct Spec {
  ReactorMode mode;
  Duration s;
  Duration c;
  double p50_us;
  double cores;
  double idle_cores;
  Plane plane = Plane::kTimeout;
};

PointResult Make(size_t id, Workload w, const Spec& spec) {
  PointResult r;
  r.id = id;
  r.point.workload = w;
  r.point.qd = 1;
  r.point.plane = spec.plane;
  r.point.knobs.reactor_mode = spec.mode;
  r.point.knobs.submit_timeout = spec.s;
  r.point.knobs.complete_timeout = spec.c;
  for (int i = 0; i < 100; ++i) r.m.load.latency_ns.Record(static_cast<uint64_t>(spec.p50_us * 1000 * (1 + 0.001 * (i % 3))));
  r.m.load.ok = 100;
  r.m.load.elapsed = std::chrono::seconds(1);
  r.m.total_cpu_s = spec.cores;
  r.m.executors = 2;
  r.m.idle_s = 0.1;
  r.m.idle_cpu_s = spec.idle_cores * 0.1;
  return r;
}

std::vector<PointResult> Sample() {
  const Workload w = Workload::kE2eWrite;
  std::vector<PointResult> rs;
  const std::vector<Spec> specs = {
      {ReactorMode::kPolled, Duration(0), Duration(0), 20, 2.0, 2.0, Plane::kZero},  // 0 busy-poll
      {ReactorMode::kPolled, 50ms, 100ms, 21, 1.9, 0.01},                            // 1 spins, parks when idle
      {ReactorMode::kPolled, Duration(0), 100ms, 130, 0.9, 0.0},                     // 2 parks each op
      {ReactorMode::kGated, 50ms, 100ms, 150200, 0.01, 0.0},                         // 3 the seed
      {ReactorMode::kGated, Duration(0), 100ms, 100300, 0.005, 0.0},                 // 4
      {ReactorMode::kGated, Duration(0), Duration(0), 19, 2.0, 2.0},                 // 5 fastest, but gated
      {ReactorMode::kGated, 10us, 10us, 45, 1.0, 1.0},                               // 6 gated, off its floor
      {ReactorMode::kPolled, Duration(0), Duration(0), 25, 1.95, 0.02, Plane::kPolling},  // 7
  };
  for (size_t i = 0; i < specs.size(); ++i) rs.push_back(Make(i, w, specs[i]));
  return rs;
}

const std::vector<CpuBudget> kBudgets = {{true, 0}, {false, 1.0}, {false, std::numeric_limits<double>::infinity()}};

TEST(Analysis, FloorsFindingsAndAudit) {
  std::vector<PointResult> rs = Sample();
  KernelTick tick{std::chrono::milliseconds(4), 250, "test"};
  SweepAnalysis a = Analyze(rs, tick, kBudgets, Objective::kP50);
  EXPECT_DOUBLE_EQ(rs[3].timeout_floor_us, 150000);
  EXPECT_DOUBLE_EQ(rs[4].timeout_floor_us, 100000);
  EXPECT_DOUBLE_EQ(rs[1].timeout_floor_us, 0);
  ASSERT_TRUE(rs[3].finding);
  EXPECT_EQ(rs[3].finding->knob, "submit_timeout + complete_timeout");
  ASSERT_TRUE(rs[4].finding);
  EXPECT_EQ(rs[4].finding->knob, "complete_timeout");
  EXPECT_FALSE(rs[6].finding);
  for (size_t i : {0, 1, 2, 7}) EXPECT_FALSE(rs[i].finding) << i;
  ASSERT_TRUE(rs[1].best_polled_p50_us);
  EXPECT_NEAR(*rs[1].best_polled_p50_us, 20, 0.2);
  EXPECT_EQ(a.audit.gated_at_floor, 2u);
  EXPECT_EQ(a.audit.gated_at_floor_flagged, 2u);
  EXPECT_EQ(a.audit.polled, 4u);
  EXPECT_EQ(a.audit.polled_flagged_timeout, 0u);
}

TEST(Analysis, RecommendationsNeverPickGatedPointsAndRespectBudgets) {
  std::vector<PointResult> rs = Sample();
  SweepAnalysis a = Analyze(rs, KernelTick{}, kBudgets, Objective::kP50);
  ASSERT_EQ(a.recommendations.size(), 3u);
  // Mostly idle: the fastest point that parks when idle (1), not the busy-pollers (0) nor gated (5).
  ASSERT_TRUE(a.recommendations[0].point);
  EXPECT_EQ(*a.recommendations[0].point, 1u);
  EXPECT_NE(a.recommendations[0].text.find("mostly idle"), std::string::npos);
  // <= 1 core under load: only the parking point fits.
  ASSERT_TRUE(a.recommendations[1].point);
  EXPECT_EQ(*a.recommendations[1].point, 2u);
  // No limit: the fastest polled point, although gated point 5 is faster still.
  ASSERT_TRUE(a.recommendations[2].point);
  EXPECT_EQ(*a.recommendations[2].point, 0u);
  EXPECT_FALSE(rs[5].pareto);
  EXPECT_TRUE(rs[0].pareto);
  EXPECT_TRUE(rs[2].pareto);
  EXPECT_FALSE(rs[7].pareto);  // dominated by 1
}

TEST(Analysis, NothingFits) {
  std::vector<PointResult> rs = Sample();
  SweepAnalysis a = Analyze(rs, KernelTick{}, {{false, 0.1}}, Objective::kP50);
  ASSERT_EQ(a.recommendations.size(), 1u);
  EXPECT_FALSE(a.recommendations[0].point);
  EXPECT_NE(a.recommendations[0].text.find("no measured setting fits; the most frugal uses 0.90 cores"),
            std::string::npos)
      << a.recommendations[0].text;
}

TEST(Analysis, SeedCheckPairsBothModesWithTheZeros) {
  std::vector<PointResult> rs = Sample();
  SweepAnalysis a = Analyze(rs, KernelTick{}, kBudgets, Objective::kP99);
  ASSERT_EQ(a.seed_checks.size(), 1u);
  const SeedCheck& sc = a.seed_checks[0];
  EXPECT_EQ(sc.submit_timeout, 50ms);
  EXPECT_EQ(sc.complete_timeout, 100ms);
  EXPECT_EQ(sc.polled_zero, std::optional<size_t>(0));
  EXPECT_EQ(sc.polled, std::optional<size_t>(1));
  EXPECT_EQ(sc.gated, std::optional<size_t>(3));
}

TEST(Analysis, FailedPointsAreSkipped) {
  std::vector<PointResult> rs = Sample();
  rs[0].m.error = "server did not start";
  SweepAnalysis a = Analyze(rs, KernelTick{}, kBudgets, Objective::kP50);
  EXPECT_FALSE(rs[0].pareto);
  for (const Recommendation& r : a.recommendations) EXPECT_NE(r.point, std::optional<size_t>(0));
}

}  // namespace
}  // namespace benchfs

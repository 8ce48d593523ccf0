// SPDX-License-Identifier: BSD-3-Clause
// The sweep grid: presets, expansion into planes, and parsing of the axis
// flags (errors name the flag and the bad value).
#include <set>

#include <gtest/gtest.h>

#include "sweep/analysis.h"
#include "sweep/grid.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

const SweepPoint* Find(const std::vector<SweepPoint>& pts, Workload w, uint32_t qd, ReactorMode m, Duration s,
                       Duration c) {
  for (const SweepPoint& p : pts) {
    if (p.workload == w && p.qd == qd && p.knobs.reactor_mode == m && p.knobs.submit_timeout == s &&
        p.knobs.complete_timeout == c && p.plane != Plane::kPolling) {
      return &p;
    }
  }
  return nullptr;
}

TEST(Grid, QuickHoldsTheSeedSettingInBothModesAndTheZeros) {
  const SweepAxes a = SweepAxes::Quick();
  ASSERT_TRUE(a.Validate().ok());
  const std::vector<SweepPoint> pts = ExpandGrid(a, ExecutorConfig{}, false);
  for (Workload w : a.workloads) {
    for (uint32_t qd : a.qds) {
      EXPECT_TRUE(Find(pts, w, qd, ReactorMode::kGated, 50ms, 100ms)) << WorkloadName(w) << " qd " << qd;
      EXPECT_TRUE(Find(pts, w, qd, ReactorMode::kPolled, 50ms, 100ms)) << WorkloadName(w) << " qd " << qd;
      const SweepPoint* zero = Find(pts, w, qd, ReactorMode::kPolled, Duration(0), Duration(0));
      ASSERT_TRUE(zero);
      EXPECT_EQ(zero->plane, Plane::kZero);
    }
  }
}

TEST(Grid, PlanesAreCountedAndDeduplicated) {
  SweepAxes a = SweepAxes::Quick();
  a.workloads = {Workload::kStorageWrite};
  a.qds = {1};
  const ExecutorConfig base;  // idle_spin 50us, complete_timeout 100ms
  const std::vector<SweepPoint> pts = ExpandGrid(a, base, false);
  // Timeout plane: 2 modes x 2 submit x 3 complete = 12 (the zero point among them).
  // Polling plane: complete {0, 100ms} x idle_spin {0, 50us, 1ms}; the two at
  // idle_spin = 50us are already in the timeout plane.
  EXPECT_EQ(pts.size(), 12u + 4u);
  std::set<std::string> keys;
  for (const SweepPoint& p : pts) EXPECT_TRUE(keys.insert(p.Key()).second) << p.Key();
  EXPECT_EQ(pts.front().plane, Plane::kZero);
  for (const SweepPoint& p : pts) {
    if (p.plane == Plane::kPolling) {
      EXPECT_EQ(p.knobs.reactor_mode, ReactorMode::kPolled);
      EXPECT_EQ(p.knobs.submit_timeout, base.submit_timeout);
    }
    if (p.plane == Plane::kTimeout) {
      EXPECT_EQ(p.knobs.idle_spin, base.idle_spin);
      EXPECT_EQ(p.knobs.ring_setup, base.ring_setup);
    }
  }
}

TEST(Grid, CrossIsTheFullProduct) {
  SweepAxes a = SweepAxes::Quick();
  a.workloads = {Workload::kRpcPing};
  a.qds = {1, 8};
  const std::vector<SweepPoint> pts = ExpandGrid(a, ExecutorConfig{}, true);
  // Per qd: 2 x 2 x 3 x 1 batch x 3 spins x 1 ring = 36, plus the zero point
  // (idle_spin 50us is in the product, so the zero point is one of them).
  EXPECT_EQ(pts.size(), 2u * 36u);
}

TEST(Grid, FullHasEveryValueTheIssueLists) {
  const SweepAxes a = SweepAxes::Full();
  EXPECT_EQ(a.submit_timeouts.size(), 8u);
  EXPECT_EQ(a.complete_timeouts.size(), 8u);
  EXPECT_EQ(a.idle_spins.size(), 5u);
  EXPECT_EQ(a.ring_setups.size(), 4u);
  EXPECT_EQ(a.qds, (std::vector<uint32_t>{1, 8, 64}));
  EXPECT_EQ(a.workloads.size(), 6u);
}

TEST(Grid, ParsesListsAndNamesTheFlagOnErrors) {
  auto d = ParseDurationList("0, 10us,1ms,1ms", "--submit-timeouts");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (std::vector<Duration>{Duration(0), 10us, 1ms}));  // duplicates dropped
  auto bad = ParseDurationList("0,5", "--submit-timeouts");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--submit-timeouts"), std::string::npos) << bad.status().message();
  auto qd = ParseUintList("1,0", "--qds", 1, 4096);
  ASSERT_FALSE(qd.ok());
  EXPECT_NE(qd.status().message().find("--qds: 0 is out of range"), std::string::npos) << qd.status().message();
  auto w = ParseWorkloadList("rpc-ping,e2e-fsync", "--workloads");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("e2e-fsync"), std::string::npos);
  EXPECT_NE(w.status().message().find("storage-write"), std::string::npos);
  auto empty = ParseModeList("polled,,gated", "--modes");
  EXPECT_FALSE(empty.ok());
  auto rings = ParseRingSetupList("none,defer_taskrun", "--ring-setups");
  ASSERT_TRUE(rings.ok());
  EXPECT_EQ(rings->back(), RingSetup::kSingleIssuerDeferTaskrun);
}

TEST(Grid, ValidateNamesTheEmptyAxis) {
  SweepAxes a = SweepAxes::Quick();
  a.qds.clear();
  Status s = a.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("qds"), std::string::npos);
}

TEST(Grid, CpuBudgets) {
  auto b = ParseCpuBudgets("idle,1,0.5,inf");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 4u);
  EXPECT_TRUE((*b)[0].mostly_idle);
  EXPECT_EQ((*b)[0].Text(), "mostly idle");
  EXPECT_EQ((*b)[1].Text(), "≤ 1 core");
  EXPECT_EQ((*b)[2].Text(), "≤ 0.5 cores");
  EXPECT_EQ((*b)[3].Text(), "no CPU limit");
  EXPECT_FALSE(ParseCpuBudgets("-1").ok());
  EXPECT_FALSE(ParseCpuBudgets("two").ok());
  EXPECT_FALSE(ParseCpuBudgets("1,").ok());
}

}  // namespace
}  // namespace benchfs

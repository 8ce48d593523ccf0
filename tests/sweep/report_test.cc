// SPDX-License-Identifier: BSD-3-Clause
// The sweep's outputs: the JSON contract benchfs.sweep/1 carries every field
// docs/sweep.md documents, and the CSV has one row per point with as many cells
// as its header.
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sweep/sweep_report.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

std::vector<PointResult> TwoPoints() {
  std::vector<PointResult> rs(2);
  for (size_t i = 0; i < 2; ++i) {
    PointResult& r = rs[i];
    r.id = i;
    r.point.workload = i == 0 ? Workload::kStorageWrite : Workload::kRpcPing;
    r.point.plane = i == 0 ? Plane::kZero : Plane::kTimeout;
    r.point.knobs.complete_timeout = i == 0 ? Duration(0) : 100ms;
    for (int k = 1; k <= 50; ++k) r.m.load.latency_ns.Record(10000 + k);
    r.m.load.ok = 50;
    r.m.load.elapsed = 1s;
    r.m.total_cpu_s = 1;
    r.m.transport = i == 0 ? "" : "tcp/lo";
  }
  rs[1].m.error = "in-process server: a, b \"c\"";
  return rs;
}

TEST(SweepReport, JsonCarriesTheContract) {
  std::vector<PointResult> rs = TwoPoints();
  SweepRunInfo info;
  info.manifest = BaseManifest();
  info.preset = "quick";
  info.axes = SweepAxes::Quick();
  info.budgets = {{true, 0}};
  SweepAnalysis a = Analyze(rs, KernelTick{}, info.budgets, Objective::kP99);
  const auto j = nlohmann::json::parse(SweepToJson(info, rs, a));
  EXPECT_EQ(j["schema"], "benchfs.sweep/1");
  for (const char* k : {"version", "git", "host", "kernel", "started_at", "cpus", "preset", "server",
                        "knobs_applied_to", "timer_tick", "base", "axes", "cpu_budgets", "objective"}) {
    EXPECT_TRUE(j["manifest"].contains(k)) << k;
  }
  ASSERT_EQ(j["points"].size(), 2u);
  const auto& p = j["points"][0];
  for (const char* k : {"id", "workload", "op", "size", "qd", "plane", "knobs", "applied_to", "count", "errors",
                        "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "min_us", "mean_us", "ops_per_s",
                        "elapsed_s", "cpu", "parks_per_op", "transport", "timeout_floor_us",
                        "best_polled_p50_us", "quantization", "pareto", "wall_s", "error", "first_error"}) {
    EXPECT_TRUE(p.contains(k)) << k;
  }
  for (const char* k : {"client_s", "server_s", "total_s", "cores", "per_op_us", "idle_cores", "executors"}) {
    EXPECT_TRUE(p["cpu"].contains(k)) << k;
  }
  for (const char* k : {"mode", "submit_timeout_us", "complete_timeout_us", "submit_batch", "idle_spin_us",
                        "ring_setup"}) {
    EXPECT_TRUE(p["knobs"].contains(k)) << k;
  }
  EXPECT_EQ(p["plane"], "zero");
  EXPECT_TRUE(j.contains("recommendations"));
  EXPECT_TRUE(j.contains("seed_check"));
  EXPECT_TRUE(j["detector_audit"].contains("polled_flagged_timeout"));
}

TEST(SweepReport, CsvRowsMatchTheHeader) {
  std::vector<PointResult> rs = TwoPoints();
  Analyze(rs, KernelTick{}, {}, Objective::kP99);
  std::stringstream csv(SweepToCsv(rs));
  std::string line;
  std::vector<size_t> cells;
  while (std::getline(csv, line)) cells.push_back(static_cast<size_t>(std::count(line.begin(), line.end(), ',')));
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[1], cells[0]);
  EXPECT_EQ(cells[2], cells[0]);  // the error's commas and quotes do not split it
}

TEST(SweepReport, TableHasOneLinePerPointAndNamesErrors) {
  std::vector<PointResult> rs = TwoPoints();
  Analyze(rs, KernelTick{}, {}, Objective::kP99);
  const std::string t = FormatPointTable(rs);
  EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 3);
  EXPECT_NE(t.find("error: in-process server"), std::string::npos);
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// How a sweep is written: the JSON contract `benchfs.sweep/1` (one record
// per point, plus the recommendations and the seed check), one CSV row per
// point, and the tables printed on the terminal.
//
//   {"schema":"benchfs.sweep/1",
//    "manifest":{version, git, host, kernel, started_at, cpus, preset, cross,
//                server, knobs_applied_to, io_size, ping_size, point_time_s,
//                warmup_ops, min_ops, idle_window_s, objective, cpu_budgets, timer_tick{us, hz, source},
//                base{mode, submit_timeout_us, ...}, axes{modes, submit_timeouts_us, ...}},
//    "points":[{id, workload, op, size, qd, plane,
//               knobs{mode, submit_timeout_us, complete_timeout_us, submit_batch, idle_spin_us, ring_setup},
//               applied_to, count, errors, first_error, p50_us, p90_us, p99_us, p999_us, max_us, min_us,
//               mean_us, ops_per_s, elapsed_s,
//               cpu{client_s, server_s, total_s, cores, per_op_us, idle_cores, executors},
//               parks_per_op{client, server}, transport, timeout_floor_us, best_polled_p50_us,
//               quantization: null | {knob, floor_us, p50_us, near_share, message},
//               pareto, wall_s, error, floor_us (null without --baseline)[, ratio, floor_suspect]
//               [, breakdown{same_clock, calls, p50{send_us, queue_us, handler_us, storage_us,
//               log_us, reply_us, total_us}, p99{...}}]}],
//    "recommendations":[{workload, qd, budget{mostly_idle, cores (null = no limit)}, objective,
//                        point (id or null), text}],
//    "seed_check":[{workload, qd, submit_timeout_us, complete_timeout_us,
//                   polled_zero_p50_us, polled_p50_us, gated_p50_us, gated_floor_us}],
//    "detector_audit":{gated_at_floor, gated_at_floor_flagged, polled, polled_flagged_timeout,
//                      polled_flagged_tick}}
#pragma once

#include <string>
#include <vector>

#include "measure/report.h"
#include "sweep/analysis.h"
#include "sweep/point_settings.h"

namespace benchfs {

// Everything about a run that is not a point.
struct SweepRunInfo {
  Manifest manifest;        // version, git, host, kernel, started_at
  std::string preset;       // "quick", "full" or "custom"
  bool cross = false;
  SweepAxes axes;
  ExecutorConfig base;
  PointSettings settings;
  KernelTick tick;
  std::vector<CpuBudget> budgets;
  Objective objective = Objective::kP99;
};

std::string SweepToJson(const SweepRunInfo& info, const std::vector<PointResult>& results,
                        const SweepAnalysis& analysis);
std::string SweepToCsv(const std::vector<PointResult>& results);

// One line per point.
std::string FormatPointTable(const std::vector<PointResult>& results);
// The seed's timeouts, polled and gated, beside polled zeros.
std::string FormatSeedChecks(const std::vector<PointResult>& results, const SweepAnalysis& analysis);
// One line per flagged point, then the detector's audit.
std::string FormatFindings(const std::vector<PointResult>& results, const SweepAnalysis& analysis);
// Pareto fronts and the budgeted choices.
std::string FormatRecommendations(const std::vector<PointResult>& results, const SweepAnalysis& analysis,
                                  Objective objective);

}  // namespace benchfs

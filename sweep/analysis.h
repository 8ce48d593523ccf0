// SPDX-License-Identifier: BSD-3-Clause
// What a sweep concludes from its measured points: each point's predicted
// timeout floor, the quantization detector's verdict, the latency / CPU
// Pareto front of each workload and qd, the setting recommended for each CPU
// budget, and the seed check (the seed's timeouts in polled and gated mode
// beside the zeros).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sweep/grid.h"
#include "sweep/measurement.h"
#include "sweep/quantization.h"
#include "sweep/timer_tick.h"

namespace benchfs {

enum class Objective : unsigned char { kP50, kP99 };
std::string_view ObjectiveName(Objective o);
Result<Objective> ParseObjective(std::string_view text);  // p50 | p99

// A CPU budget to recommend a setting for.
//   cores        CPU of both sides (and the kernel workers they use) per
//                second under the measured load at most this; infinity = no limit
//   mostly_idle  with no load, the setting burns at most kMostlyIdleCores per
//                executor: it parks instead of busy-polling
struct CpuBudget {
  bool mostly_idle = false;
  double cores = 0;
  std::string Text() const;  // "mostly idle", "≤ 1 core", "no CPU limit"
};
inline constexpr double kMostlyIdleCores = 0.05;
// "idle,1,inf": the word idle (or mostly-idle), numbers of cores, inf.
Result<std::vector<CpuBudget>> ParseCpuBudgets(const std::string& text);

struct PointResult {
  size_t id = 0;
  SweepPoint point;
  PointMeasurement m;
  // Filled by Analyze.
  double timeout_floor_us = 0;                // gated: gated_io_ops x (s + c); else 0
  std::optional<double> best_polled_p50_us;   // lowest polled p50 of the same workload and qd
  std::optional<QuantizationFinding> finding;
  bool pareto = false;

  bool measured() const { return m.error.empty() && m.load.ok > 0; }
  double Percentile(double q) const;  // µs
  double p50_us() const { return Percentile(0.5); }
  double p99_us() const { return Percentile(0.99); }
  double ObjectiveUs(Objective o) const { return o == Objective::kP50 ? p50_us() : p99_us(); }
  bool MostlyIdle() const { return m.idle_s > 0 && m.idle_cores() <= kMostlyIdleCores * m.executors; }
  // Never recommended: gated mode (the legacy bug), quantized, failed or erroring points.
  bool Recommendable() const;
};

struct Recommendation {
  Workload workload;
  uint32_t qd = 0;
  CpuBudget budget;
  std::optional<size_t> point;  // result id
  std::string text;
};

// The seed's setting in both modes beside polled zeros, for one workload and qd.
struct SeedCheck {
  Workload workload;
  uint32_t qd = 0;
  Duration submit_timeout{0};
  Duration complete_timeout{0};
  std::optional<size_t> polled_zero;  // polled, both timeouts 0
  std::optional<size_t> polled;       // polled with the seed's timeouts
  std::optional<size_t> gated;        // gated with the seed's timeouts
};

// How the detector did against the floors the model predicts: every gated
// point whose p50 is within the tolerance of its timeout floor should be
// flagged, and no polled point should be put down to a timeout.
struct DetectorAudit {
  size_t gated_at_floor = 0;          // gated points with p50 within tolerance of timeout_floor_us
  size_t gated_at_floor_flagged = 0;  // ... of which flagged
  size_t polled = 0;                  // measured polled points
  size_t polled_flagged_timeout = 0;  // polled points flagged for a timeout knob (should be 0)
  size_t polled_flagged_tick = 0;     // polled points flagged for the kernel tick (CPU contention)
};

struct SweepAnalysis {
  std::vector<Recommendation> recommendations;
  std::vector<SeedCheck> seed_checks;
  DetectorAudit audit;
};

// Fills each result's floor, best polled p50, finding and Pareto flag, and
// returns the recommendations for `budgets` and the seed checks. The Pareto
// front is over (cores under load, objective latency) among recommendable
// points; a budget picks the lowest objective latency among recommendable
// points within it. The seed's setting is the largest (submit_timeout,
// complete_timeout) pair measured in both modes.
SweepAnalysis Analyze(std::vector<PointResult>& results, const KernelTick& tick,
                      const std::vector<CpuBudget>& budgets, Objective objective, const DetectorRule& rule = {});

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Runs a sweep: expands the grid, prepares the data the points use, runs
// every point in turn (each with fresh executors and servers built from its
// knobs) and analyses the results as they come in.
#pragma once

#include <functional>
#include <vector>

#include "sweep/analysis.h"
#include "sweep/sweep_report.h"

namespace benchfs {

struct SweepConfig {
  std::string preset = "custom";
  SweepAxes axes;
  bool cross = false;
  ExecutorConfig base;          // knobs a plane does not sweep
  PointSettings settings;       // data_dir must be set
  std::vector<CpuBudget> budgets;
  Objective objective = Objective::kP99;
};

struct SweepRun {
  SweepRunInfo info;
  std::vector<PointResult> results;  // in measuring order; id = index
  SweepAnalysis analysis;
};

// Measures one point.
PointMeasurement RunPoint(const SweepPoint& p, const PointSettings& s);

// `after_point(run, total)` is called after each point with the results so
// far (analysed). Fails only if the grid is invalid or the data cannot be
// prepared; a point that fails records its error and the sweep goes on.
Result<SweepRun> RunSweep(const SweepConfig& config,
                          const std::function<void(const SweepRun& run, size_t total)>& after_point = {});

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The sweep loop.
#include "sweep/sweep_runner.h"

#include <algorithm>

#include "sweep/data_prep.h"
#include "sweep/remote_point.h"
#include "sweep/storage_point.h"

namespace benchfs {

PointMeasurement RunPoint(const SweepPoint& p, const PointSettings& s) {
  if (Info(p.workload).kind == WorkloadKind::kStorage) return RunStoragePoint(p, s);
  return RunRemotePoint(p, s);
}

Result<SweepRun> RunSweep(const SweepConfig& c, const std::function<void(const SweepRun&, size_t)>& after_point) {
  Status v = c.axes.Validate();
  if (!v.ok()) return v;
  v = c.base.Validate();
  if (!v.ok()) return v;
  if (c.settings.data_dir.empty()) return Status::InvalidArgument("the sweep needs a data directory");

  SweepRun run;
  run.info.manifest = BaseManifest();
  run.info.preset = c.preset;
  run.info.cross = c.cross;
  run.info.axes = c.axes;
  run.info.base = c.base;
  run.info.settings = c.settings;
  run.info.tick = DetectKernelTick();
  run.info.budgets = c.budgets;
  run.info.objective = c.objective;

  const std::vector<SweepPoint> points = ExpandGrid(c.axes, c.base, c.cross);
  const uint32_t max_qd = *std::max_element(c.axes.qds.begin(), c.axes.qds.end());
  Status prep = PrepareSweepData(c.settings, c.axes.workloads, max_qd);
  if (!prep.ok()) return prep;

  for (const SweepPoint& p : points) {
    Status kv = p.knobs.Validate();
    PointResult r;
    r.id = run.results.size();
    r.point = p;
    if (kv.ok()) {
      r.m = RunPoint(p, c.settings);
    } else {
      r.m.error = kv.ToString();
    }
    run.results.push_back(std::move(r));
    run.analysis = Analyze(run.results, run.info.tick, c.budgets, c.objective);
    if (after_point) after_point(run, points.size());
  }
  return run;
}

}  // namespace benchfs

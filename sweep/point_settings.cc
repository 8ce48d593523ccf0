// SPDX-License-Identifier: BSD-3-Clause
// Server modes and point plans.
#include "sweep/point_settings.h"

#include <algorithm>

#include "sweep/quantization.h"

namespace benchfs {

std::string_view ServerModeName(ServerMode m) { return m == ServerMode::kInProcess ? "inprocess" : "process"; }

Result<ServerMode> ParseServerMode(std::string_view text) {
  if (text == "inprocess") return ServerMode::kInProcess;
  if (text == "process") return ServerMode::kProcess;
  return Status::InvalidArgument("server mode '" + std::string(text) + "' is unknown: use inprocess or process");
}

PointPlan PlanFor(const SweepPoint& p, const PointSettings& s) {
  PointPlan plan;
  const bool gated = p.knobs.reactor_mode == ReactorMode::kGated;
  plan.warmup_ops = gated ? 2ull * p.qd : std::max<uint64_t>(2ull * p.qd, s.warmup_ops);
  plan.measure = s.point_time;
  const Duration floor = TimeoutFloor(p.knobs.reactor_mode, p.knobs.submit_timeout, p.knobs.complete_timeout,
                                      Info(p.workload).gated_io_ops);
  if (floor > Duration(0)) {
    const uint64_t rounds = (s.min_ops + p.qd - 1) / p.qd;
    plan.measure = std::max(plan.measure, floor * static_cast<int64_t>(rounds) * 11 / 10);
  }
  plan.measure = std::min(plan.measure, s.max_point_time);
  plan.idle = s.idle_window;
  return plan;
}

}  // namespace benchfs

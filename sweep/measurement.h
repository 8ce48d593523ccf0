// SPDX-License-Identifier: BSD-3-Clause
// One point's measurement: warm-up, then the measured closed loop at the
// point's qd, with the CPU time and parks of both sides taken around the
// measured phase only (set-up, warm-up and teardown are not counted), then an
// idle window in which no operation runs: the CPU the setting burns with
// nothing to do (1 core per executor when it busy-polls, ~0 when it parks).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "measure/breakdown.h"
#include "measure/load.h"
#include "runtime/executor.h"
#include "sweep/point_settings.h"

namespace benchfs {

struct PointMeasurement {
  LoadResult load;            // the measured phase
  double client_cpu_s = 0;    // the client's executor thread (the only one for storage points)
  double server_cpu_s = 0;    // the server's executor thread, or the benchfsd process
  double total_cpu_s = 0;     // both sides and everything else they ran (io_uring workers, UCX threads)
  uint64_t client_parks = 0;  // parks of the client's executor in the measured phase
  uint64_t server_parks = 0;
  bool has_server = false;
  uint32_t executors = 1;     // executors the knobs were applied to (2 with a server)
  double idle_cpu_s = 0;      // both sides, in the idle window
  double idle_s = 0;          // length of the idle window
  std::string transport;      // what UCX chose ("" for storage points)
  std::string error;          // set when the point could not be run (failed operations are in load)
  double wall_s = 0;          // the whole point: set-up to teardown
  std::optional<double> floor_us;        // with --baseline: the floor block before the point
  std::shared_ptr<Breakdown> breakdown;  // with --breakdown: per-stage times of its calls

  double cores() const;       // total_cpu_s per second of the measured phase
  double cpu_per_op_us() const;
  double idle_cores() const;  // idle_cpu_s per second of the idle window
};

// What the measurement reads from the server side at the edges of the
// measured phase (called from a fiber of the client's executor).
struct ServerProbe {
  std::function<double()> cpu_s;     // CPU seconds used so far by the server side
  std::function<uint64_t()> parks;   // executor parks so far
  bool same_process = true;          // its CPU is already in this process's total
};

// From a fiber of `ex`: runs plan.warmup_ops unmeasured operations, then
// measures for plan.measure at qd, then sleeps for plan.idle. `op(seq)` gets
// a sequence number that keeps counting across warm-up and measurement.
// With `op_start`, each operation's start is stored there before it runs
// (LoadSpec::op_start), for a tracer timing its stages.
PointMeasurement MeasureOps(Executor& ex, const PointPlan& plan, uint32_t qd,
                            const std::function<Status(uint64_t seq)>& op, const ServerProbe* server,
                            TimePoint* op_start = nullptr);

}  // namespace benchfs

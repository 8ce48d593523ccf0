// SPDX-License-Identifier: BSD-3-Clause
// Warm-up, measured phase and the CPU/park snapshots around it.
#include "sweep/measurement.h"

#include "sweep/cpu_usage.h"

namespace benchfs {

double PointMeasurement::cores() const {
  const double s = std::chrono::duration<double>(load.elapsed).count();
  return s > 0 ? total_cpu_s / s : 0.0;
}

double PointMeasurement::idle_cores() const { return idle_s > 0 ? idle_cpu_s / idle_s : 0.0; }

double PointMeasurement::cpu_per_op_us() const {
  return load.ok > 0 ? total_cpu_s * 1e6 / static_cast<double>(load.ok) : 0.0;
}

PointMeasurement MeasureOps(Executor& ex, const PointPlan& plan, uint32_t qd,
                            const std::function<Status(uint64_t)>& op, const ServerProbe* server,
                            TimePoint* op_start) {
  PointMeasurement m;
  uint64_t seq = 0;
  auto counted = [&](uint64_t) { return op(seq++); };
  if (plan.warmup_ops > 0) {
    LoadSpec warm;
    warm.qd = qd;
    warm.iterations = plan.warmup_ops;
    warm.op_start = op_start;
    LoadResult w = RunLoad(ex, warm, counted);
    if (w.errors > 0) {
      m.error = "warm-up: " + w.first_error.ToString();
      return m;
    }
  }
  LoadSpec spec;
  spec.qd = qd;
  spec.duration = plan.measure;
  spec.op_start = op_start;

  const double server_cpu0 = server ? server->cpu_s() : 0.0;
  const uint64_t server_parks0 = server ? server->parks() : 0;
  const double process0 = ProcessCpuSeconds();
  const double thread0 = ThreadCpuSeconds();
  const uint64_t parks0 = ex.stats().parks;

  m.load = RunLoad(ex, spec, counted);

  m.client_parks = ex.stats().parks - parks0;
  m.client_cpu_s = ThreadCpuSeconds() - thread0;
  const double process_s = ProcessCpuSeconds() - process0;
  if (server != nullptr) {
    m.has_server = true;
    m.server_cpu_s = server->cpu_s() - server_cpu0;
    m.server_parks = server->parks() - server_parks0;
  }
  m.total_cpu_s = process_s + (server != nullptr && !server->same_process ? m.server_cpu_s : 0.0);
  m.executors = server != nullptr ? 2 : 1;

  if (plan.idle > Duration(0)) {
    // The in-process server's CPU is in this process's; a child's is read
    // from /proc without waking it.
    const bool child = server != nullptr && !server->same_process;
    const double idle_server0 = child ? server->cpu_s() : 0.0;
    const double idle_process0 = ProcessCpuSeconds();
    const TimePoint idle0 = Now();
    ex.SleepFor(plan.idle);
    m.idle_s = std::chrono::duration<double>(Now() - idle0).count();
    m.idle_cpu_s = ProcessCpuSeconds() - idle_process0 + (child ? server->cpu_s() - idle_server0 : 0.0);
  }
  return m;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Load generation on an executor: a closed loop (N operations always in
// flight) or an open loop (operations start at a fixed rate, and latency is
// measured from each operation's intended start, so a slow server cannot hide
// its queueing delay - no coordinated omission). The open loop bounds the
// operations in flight; when the bound is reached the next start waits, which
// shows up in the latencies and in `late_starts`, never as an unbounded backlog.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "measure/histogram.h"
#include "runtime/clock.h"
#include "runtime/executor.h"
#include "runtime/status.h"

namespace benchfs {

struct LoadSpec {
  uint32_t qd = 1;             // closed loop: operations in flight
  double rate = 0;             // open loop: operations per second; 0 = closed loop
  uint64_t iterations = 0;     // measured operations; 0 = run for `duration`
  Duration duration{0};
  uint64_t warmup_iterations = 0;  // unmeasured operations first
  Duration warmup{0};              // or unmeasured time first
  uint32_t max_outstanding = 4096; // open loop: bound on operations in flight
  // Called after each failed operation (never on the success path): true
  // ends the run at once - no worker starts another operation - e.g. when
  // every server is unreachable, so a dead server is not hammered.
  std::function<bool(const Status&)> give_up;
  // When set, each operation's start (the time its latency is measured from)
  // is stored here right before the operation is called, so the operation
  // can read it before it first waits (e.g. to time its stages from there).
  TimePoint* op_start = nullptr;

  // OK or INVALID_ARGUMENT naming the bad field.
  Status Validate() const;
};

// The most operations in flight a closed loop may run: each runs on a fiber
// of its own, and a fiber stack is two memory mappings.
inline constexpr uint32_t kMaxQueueDepth = 16384;

struct LoadResult {
  Histogram latency_ns;       // successful measured operations
  uint64_t ok = 0;
  uint64_t errors = 0;
  Status first_error;         // the first failure, for the report
  Duration elapsed{0};        // measured phase
  uint64_t late_starts = 0;   // open loop: starts delayed > 1 ms past their intended time
  bool gave_up = false;       // ended early by LoadSpec::give_up
  double ops_per_s() const {
    const double s = std::chrono::duration<double>(elapsed).count();
    return s > 0 ? static_cast<double>(ok) / s : 0.0;
  }
};

// `op(i)` runs operation number i (numbered from 0 across warm-up and the
// measured phase) in a fiber of `ex` and returns its status. Call from a
// fiber of `ex`. `tick`, if set, is called about once a second with the
// operations completed so far (for progress displays).
LoadResult RunLoad(Executor& ex, const LoadSpec& spec, const std::function<Status(uint64_t)>& op,
                   const std::function<void(uint64_t done)>& tick = {});

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The quantization detector: says when a latency distribution sits on a
// value that a timer sets rather than the work - a (sum of) configured
// reactor timeouts, or a multiple of the kernel's timer tick - and names the
// knob, e.g. "p50 = 150.0 ms ≈ submit_timeout + complete_timeout (50ms +
// 100ms): try polled mode or smaller timeouts". Operations that take whole
// ticks come from jiffy-resolution sleeps or from threads that wait for the
// scheduler's tick to get a CPU (more busy-polling threads than free cores).
//
// The rule. A candidate floor F is a value the knobs can impose on this
// point; which ones depends on how the reactor uses them:
//   gated mode   every io_uring operation waits for the submit gate and then
//                the reap gate, so an operation that waits for n of them in
//                sequence takes n x (submit_timeout + complete_timeout):
//                candidates m x (s + c) for m = 1..max_multiple, and s and c
//                alone (a full batch skips the submit gate; a completion can
//                be reaped at a gate another submit opened). None when the
//                workload uses no io_uring operation (a ping).
//   polled mode  the timeouts never delay a completion; only submit_timeout
//                can hold submissions back, and only while other fibers are
//                runnable: candidate s, at qd > 1.
//   both modes   j x tick for j = 1..max_tick_multiple.
// The point is flagged at the candidate nearest its p50 when
//   (1) |p50 - F| <= tolerance x F (5 %), and
//   (2) F >= reference_factor x the reference p50 (2x), the lowest p50 measured
//       in polled mode for the same workload and qd: a floor that the work
//       alone reaches is not the timer's doing;
//   (3) for the tick only: at least tick_share (75 %) of the operations lie
//       within the tolerance of a multiple of the tick.
#pragma once

#include <optional>
#include <string>

#include "measure/histogram.h"
#include "runtime/executor_config.h"

namespace benchfs {

struct DetectorRule {
  double tolerance = 0.05;
  double reference_factor = 2.0;
  uint32_t max_multiple = 4;
  uint32_t max_tick_multiple = 8;
  double tick_share = 0.75;
};

struct DetectorInput {
  ReactorMode mode = ReactorMode::kPolled;
  Duration submit_timeout{0};
  Duration complete_timeout{0};
  uint32_t qd = 1;
  uint32_t gated_io_ops = 1;        // io_uring operations one operation waits for in sequence
  const Histogram* latency_ns = nullptr;
  std::optional<double> reference_p50_us;  // none: condition (2) is not applied
  Duration tick{0};                 // kernel tick; 0 = unknown (not checked)
  unsigned hz = 0;
};

// The knob named by tick findings.
inline constexpr const char* kTickKnob = "kernel timer tick";

struct QuantizationFinding {
  std::string knob;          // "submit_timeout + complete_timeout", "complete_timeout", "kernel timer tick", ...
  double floor_us = 0;       // the value the distribution sits on
  double p50_us = 0;
  double near_share = 0;     // share of operations within the tolerance of it (of a tick multiple, for ticks)
  std::string message;       // one line for the report, naming the knob and what to try
};

std::optional<QuantizationFinding> DetectQuantization(const DetectorInput& in, const DetectorRule& rule = {});

// The floor gated mode puts under one operation that waits for
// `gated_io_ops` io_uring operations in sequence: gated_io_ops x (s + c).
// 0 in polled mode, where the timeouts add none.
Duration TimeoutFloor(ReactorMode mode, Duration submit_timeout, Duration complete_timeout,
                      uint32_t gated_io_ops);

// "150.0 ms", "10.4 us", "1.50 s": latencies for people.
std::string FormatLatencyUs(double us);

}  // namespace benchfs

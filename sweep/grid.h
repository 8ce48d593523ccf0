// SPDX-License-Identifier: BSD-3-Clause
// The sweep grid: the values of each reactor knob to try (the axes), the
// two presets (`quick` for CI, `full` for real hardware), and how the axes
// expand into the points that are measured.
//
// By default the grid is two planes through the base setting (the reactor
// flags of the command line, i.e. the executor's defaults unless changed):
//
//   timeout plane  mode x submit_timeout x complete_timeout x qd x workload;
//                  idle_spin, ring_setup and submit_batch at their base values.
//                  The seed's question: do the timeouts add latency?
//   polling plane  polled mode x idle_spin x ring_setup x submit_batch x
//                  complete_timeout in {0 (never park: busy-poll), base} x qd x
//                  workload; submit_timeout at its base value. The CPU
//                  question: what does lower latency cost in cores?
//
// plus, for every workload and qd, the reference point (polled, both
// timeouts 0, the rest at base) that the quantization detector compares with.
// `cross` takes the full cross product of every axis instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/executor_config.h"
#include "runtime/status.h"
#include "sweep/workload.h"

namespace benchfs {

struct SweepAxes {
  std::vector<ReactorMode> modes;
  std::vector<Duration> submit_timeouts;
  std::vector<Duration> complete_timeouts;
  std::vector<uint32_t> submit_batches;
  std::vector<Duration> idle_spins;
  std::vector<RingSetup> ring_setups;
  std::vector<uint32_t> qds;
  std::vector<Workload> workloads;

  // Every value the issue lists: timeouts {0, 1, 10, 100 us, 1, 10, 50,
  // 100 ms}, idle_spin {0, 10, 50, 200, 1000 us}, all four ring setups,
  // qd {1, 8, 64}, every workload, submit_batch {32}.
  static SweepAxes Full();
  // A CI-sized grid (minutes on 2 cores) that still holds the seed's
  // (50 ms, 100 ms) in both modes, the zeros, and both ends of idle_spin.
  static SweepAxes Quick();

  // OK, or INVALID_ARGUMENT naming the empty axis or the bad value.
  Status Validate() const;
};

enum class Plane : unsigned char { kTimeout, kPolling, kZero, kCross };
std::string_view PlaneName(Plane p);

struct SweepPoint {
  Workload workload = Workload::kStorageWrite;
  uint32_t qd = 1;
  // Applied to both sides: the client's executor and the server's.
  ExecutorConfig knobs;
  Plane plane = Plane::kTimeout;

  // Identity of the setting (workload, qd and the swept knobs), for
  // de-duplication and for finding a point's reference.
  std::string Key() const;
  // "polled s=50ms c=100ms spin=50us ring=none batch=32".
  std::string KnobText() const;
};

// The points to measure, grouped by workload then qd, duplicates removed
// (a point in both planes is measured once, tagged with the first).
std::vector<SweepPoint> ExpandGrid(const SweepAxes& axes, const ExecutorConfig& base, bool cross);

// The reference point of `p`: same workload and qd, polled, both timeouts 0,
// idle_spin / ring_setup / submit_batch from `base`.
SweepPoint ZeroPointOf(const SweepPoint& p, const ExecutorConfig& base);

// Comma-separated axis values; errors name `flag` and the bad element.
Result<std::vector<Duration>> ParseDurationList(const std::string& text, const std::string& flag);
Result<std::vector<uint32_t>> ParseUintList(const std::string& text, const std::string& flag, uint32_t lo,
                                            uint32_t hi);
Result<std::vector<ReactorMode>> ParseModeList(const std::string& text, const std::string& flag);
Result<std::vector<RingSetup>> ParseRingSetupList(const std::string& text, const std::string& flag);
Result<std::vector<Workload>> ParseWorkloadList(const std::string& text, const std::string& flag);

}  // namespace benchfs

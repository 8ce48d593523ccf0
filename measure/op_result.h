// SPDX-License-Identifier: BSD-3-Clause
// OpResult: one row of a benchmark's results (an op at a size and queue
// depth): its latency samples and counts, its floor, and, when it was run in
// several rounds, each round's figures. Measured by the load generator,
// combined by measure/rounds.h and written by measure/report.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "measure/breakdown.h"
#include "measure/load.h"

namespace benchfs {

// One round's figures of a row (rounds are interleaved with floor blocks;
// measure/rounds.h combines them).
struct RoundFigures {
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double ops_per_s = 0;
  std::optional<double> floor_us;
  std::shared_ptr<Breakdown> breakdown;  // that round's per-stage times, when traced
};

struct OpResult {
  std::string op;        // create, stat, delete, write, read, ping
  uint64_t size = 0;     // bytes per operation (0 for metadata)
  uint32_t qd = 0;
  double rate = 0;
  LoadResult load;
  std::optional<double> floor_us;  // the bare-hardware floor of this op, if measured
  std::string first_error;
  // With more than one round: each round's figures; the row's percentiles and
  // ops/s are then their medians, its floor the median of the floor blocks,
  // and `load` holds every round's samples and counts together.
  std::vector<RoundFigures> rounds;
  bool floor_suspect = false;  // p50 below 0.95 x floor
  std::string floor_note;      // why that may be
  std::shared_ptr<Breakdown> breakdown;  // per-stage times of its calls, when traced
};

}  // namespace benchfs

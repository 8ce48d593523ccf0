// SPDX-License-Identifier: BSD-3-Clause
// ExecutorStats: counters the executor keeps about its own loop. None of them
// needs a clock read except park_ns, which is only kept when timing_stats is on.
#pragma once

#include <cstdint>

namespace benchfs {

struct ExecutorStats {
  uint64_t ticks = 0;            // loop iterations
  uint64_t fibers_spawned = 0;
  uint64_t fibers_run = 0;       // fiber resumptions
  uint64_t sq_flushes = 0;       // io_uring_submit calls that submitted something
  uint64_t sqes_submitted = 0;
  uint64_t cqes_reaped = 0;
  uint64_t reap_ticks = 0;       // ticks that reaped at least one CQE
  uint64_t spins = 0;            // idle ticks spent busy-polling before a park
  uint64_t parks = 0;            // blocking waits in the kernel
  uint64_t park_ns = 0;          // time parked (timing_stats only)
  uint64_t park_violations = 0;  // parks attempted with a fiber ready or a timer due (must stay 0)
  uint64_t timers_fired = 0;
  uint64_t remote_posts = 0;     // cross-thread posts run
  uint64_t sq_full_waits = 0;    // submitters suspended on a full SQ
  uint64_t slot_waits = 0;       // submitters suspended on the in-flight bound
  uint64_t cancels = 0;          // async-cancel requests issued
  uint64_t stray_cqes = 0;       // CQEs whose user_data matched no live slot (must stay 0)
  uint32_t io_depth = 0;         // operations in flight now
  uint32_t io_depth_max = 0;

  double sqes_per_flush() const {
    return sq_flushes == 0 ? 0.0 : static_cast<double>(sqes_submitted) / sq_flushes;
  }
  double cqes_per_reap_tick() const {
    return reap_ticks == 0 ? 0.0 : static_cast<double>(cqes_reaped) / reap_ticks;
  }
};

}  // namespace benchfs

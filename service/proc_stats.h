// SPDX-License-Identifier: BSD-3-Clause
// ProcStats: what /proc says about this process - threads, resident and
// virtual memory, CPU time - the figures seed 000's diagnosis was built on.
#pragma once

#include <cstdint>

namespace benchfs {

struct ProcStats {
  uint32_t threads = 0;     // every thread, the kernel's io_uring workers included
  uint32_t io_workers = 0;  // io_uring's iou-wrk-* / iou-sqp-* threads among them
  uint64_t rss_bytes = 0;
  uint64_t vms_bytes = 0;
  double cpu_user_s = 0;
  double cpu_system_s = 0;
};

// Reads /proc/self/status and getrusage; fields it cannot read stay 0.
ProcStats ReadProcStats();

// The first 64 bits of this boot's id (/proc/sys/kernel/random/boot_id), 0
// if unknown. Two processes with the same non-zero value share one steady
// clock (CLOCK_MONOTONIC), so their timestamps can be subtracted.
uint64_t BootIdPrefix();

}  // namespace benchfs

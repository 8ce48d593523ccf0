// SPDX-License-Identifier: BSD-3-Clause
// The kernel's timer tick (1 / CONFIG_HZ): the granularity of jiffy-based
// timeouts, which the quantization detector also looks for. Read from the
// kernel's build config (/boot/config-<release>) when it is there, else
// inferred from the resolution of CLOCK_MONOTONIC_COARSE, which advances
// once per tick.
#pragma once

#include <string>

#include "runtime/clock.h"

namespace benchfs {

struct KernelTick {
  Duration tick{0};     // 0 when it could not be found out
  unsigned hz = 0;      // CONFIG_HZ, or 1 s / tick when inferred
  std::string source;   // "/boot/config-6.1.0-18-amd64", "clock_getres(CLOCK_MONOTONIC_COARSE)" or "unknown"
};

KernelTick DetectKernelTick();

}  // namespace benchfs

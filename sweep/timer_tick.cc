// SPDX-License-Identifier: BSD-3-Clause
// Finding the kernel's tick.
#include "sweep/timer_tick.h"

#include <sys/utsname.h>
#include <time.h>

#include <cstdlib>
#include <fstream>

namespace benchfs {

KernelTick DetectKernelTick() {
  KernelTick k;
  utsname u{};
  if (uname(&u) == 0) {
    const std::string path = std::string("/boot/config-") + u.release;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("CONFIG_HZ=", 0) != 0) continue;
      const unsigned hz = static_cast<unsigned>(std::strtoul(line.c_str() + 10, nullptr, 10));
      if (hz > 0) {
        k.hz = hz;
        k.tick = Duration(1000000000 / hz);
        k.source = path;
        return k;
      }
    }
  }
  timespec res{};
  if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0) {
    const int64_t ns = static_cast<int64_t>(res.tv_sec) * 1000000000 + res.tv_nsec;
    if (ns >= 1000000 && ns <= 100000000) {  // 10 Hz .. 1000 Hz: a plausible tick
      k.tick = Duration(ns);
      k.hz = static_cast<unsigned>((1000000000 + ns / 2) / ns);
      k.source = "clock_getres(CLOCK_MONOTONIC_COARSE)";
      return k;
    }
  }
  k.source = "unknown";
  return k;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Time for the runtime: one monotonic clock and the deadline type every
// blocking call takes.
#pragma once

#include <chrono>

namespace benchfs {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC
using TimePoint = Clock::time_point;
using Duration = std::chrono::nanoseconds;

// A deadline that never expires.
inline constexpr TimePoint kNoDeadline = TimePoint::max();

inline TimePoint Now() { return Clock::now(); }

inline TimePoint DeadlineAfter(Duration d) {
  return d == Duration::max() ? kNoDeadline : Now() + d;
}

// Runs `fn`; when `total` is not null, adds the time it took to it (the
// clock is read only then).
template <typename Fn>
auto TimedInto(Duration* total, Fn&& fn) {
  if (total == nullptr) return fn();
  const TimePoint t0 = Now();
  auto result = fn();
  *total += Now() - t0;
  return result;
}

inline double ToMicros(Duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// WaitOptions: how long a blocking call may wait, and what may cancel it.
#pragma once

#include "runtime/clock.h"

namespace benchfs {

class Cancellation;

struct WaitOptions {
  TimePoint deadline = kNoDeadline;
  Cancellation* cancel = nullptr;
  // A deadline this long after the wait begins, read from the clock only if
  // the call really has to wait (an operation that completes at once costs
  // no clock read). Used when `deadline` is kNoDeadline.
  Duration timeout = Duration::max();

  static WaitOptions Until(TimePoint d) { return {d, nullptr}; }
  static WaitOptions For(Duration d) { return {DeadlineAfter(d), nullptr}; }
  static WaitOptions Within(Duration d) { return {kNoDeadline, nullptr, d}; }
  // The absolute deadline, fixing a relative timeout now.
  WaitOptions Resolved() const {
    if (deadline != kNoDeadline || timeout == Duration::max()) return *this;
    return {DeadlineAfter(timeout), cancel};
  }
};

}  // namespace benchfs

// WaitOptions: how long a blocking call may wait, and what may cancel it.
#pragma once

#include "runtime/clock.h"

namespace benchfs {

class Cancellation;

struct WaitOptions {
  TimePoint deadline = kNoDeadline;
  Cancellation* cancel = nullptr;

  static WaitOptions Until(TimePoint d) { return {d, nullptr}; }
  static WaitOptions For(Duration d) { return {DeadlineAfter(d), nullptr}; }
};

}  // namespace benchfs

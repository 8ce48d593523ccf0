// SPDX-License-Identifier: BSD-3-Clause
// ReactorBackend: what the executor's loop asks of its kernel event source,
// and nothing else. The loop calls Poll() every tick (submit the work that is
// due, reap what has completed: one call, so a tick pays one indirect call),
// PollWhenIdle() when a tick found nothing to do, and, when it decides to
// sleep, asks CanSleep() and NextWake() and then WaitForEvents(). The
// backend suspends and wakes fibers through the executor; the executor knows
// the backend only through this interface (the io_uring reactor implements
// it), so the two never include each other.
#pragma once

#include "runtime/clock.h"

namespace benchfs {

class ReactorBackend {
 public:
  virtual ~ReactorBackend() = default;

  // Submits prepared work if the policy says it is due, then completes what
  // the kernel has finished (a few memory reads when there is nothing);
  // true if anything was submitted or completed. `fibers_runnable`: other
  // fibers may still add work in this tick.
  virtual bool Poll(bool fibers_runnable) = 0;
  // The costlier poke an idle loop may afford (a syscall for rings that post
  // completions only when entered); true if that completed anything.
  virtual bool PollWhenIdle() = 0;
  // False while completions are waiting that the loop must handle before sleeping.
  virtual bool CanSleep() const = 0;
  // The latest moment a sleeping loop must wake for the backend; kNoDeadline if none.
  virtual TimePoint NextWake() const = 0;
  // Sleeps until a completion, a Notify(), a watched fd becomes readable, or `timeout`.
  virtual void WaitForEvents(Duration timeout) = 0;
  // Thread-safe: makes WaitForEvents() return.
  virtual void Notify() = 0;
  // WaitForEvents() also returns when `fd` becomes readable.
  virtual void WatchFd(int fd) = 0;
  virtual void UnwatchFd(int fd) = 0;
};

}  // namespace benchfs

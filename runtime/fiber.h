// SPDX-License-Identifier: BSD-3-Clause
// Fiber: the executor's record of one fiber (its stack and saved context plus
// the bookkeeping for the ready queue, wait queues, timers and joins). Records
// are pooled and reused; a FiberHandle names one spawn of a record by its id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include <boost/context/stack_context.hpp>

#include "runtime/clock.h"
#include "runtime/context_switch.h"
#include "runtime/wait_queue.h"

namespace benchfs {

class Cancellation;

// Why a waiting fiber was made ready again.
enum class WakeReason : unsigned char { kNotified, kTimedOut, kCancelled };

struct Fiber {
  enum class State : unsigned char { kFree, kReady, kRunning, kWaiting, kDone };

  Context context;  // where it resumes (valid while it is not running)
  boost::context::stack_context stack;  // from the StackPool while it is live
  std::function<void()> body;
  uint64_t id = 0;
  State state = State::kFree;
  bool started = false;  // FiberMain has begun

  Fiber* next_ready = nullptr;  // ready queue link

  WaitQueue::Hook wait_hook{this};  // link in at most one WaitQueue
  TimePoint deadline = kNoDeadline;
  size_t timer_pos = kNoTimer;     // index in the timer heap, or kNoTimer
  Cancellation* cancel = nullptr;  // cancellation watching this wait, if any
  WakeReason wake_reason = WakeReason::kNotified;

  WaitQueue joiners;  // fibers waiting in Join()

  // AddressSanitizer bookkeeping for stack switches.
  void* asan_fake_stack = nullptr;
  const void* stack_bottom = nullptr;
  size_t stack_size = 0;

  static constexpr size_t kNoTimer = SIZE_MAX;
};

// Thrown at a suspended fiber's wait point when the executor is destroyed, so
// that its stack unwinds (destructors run) before the stack is reused. Not a
// std::exception: code in fibers that catches everything must rethrow it.
struct FiberUnwind {};

// Fibers share the thread's C++ exception state (the exceptions being handled
// form one per-thread list), so a fiber must not wait, yield or end inside a
// catch block: copy what it needs, leave the handler, then wait.

// Names one spawned fiber. Stays valid (and reports "done") after the fiber
// ends and its record is reused.
class FiberHandle {
 public:
  FiberHandle() = default;
  FiberHandle(Fiber* f, uint64_t id) : fiber_(f), id_(id) {}
  bool valid() const { return fiber_ != nullptr; }
  bool done() const {
    return fiber_ == nullptr || fiber_->id != id_ || fiber_->state == Fiber::State::kDone ||
           fiber_->state == Fiber::State::kFree;
  }

 private:
  friend class Executor;
  Fiber* fiber_ = nullptr;
  uint64_t id_ = 0;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Driver: which thread drives the library's executor, call by call.
//
// A call runs on its caller's own thread whenever it can: a caller that finds
// the executor free takes it, spawns its call as a fiber and drives the loop
// itself until the call has finished, so a single-threaded caller (an MPI
// rank, IOR, mdtest) pays no hand-off between threads at all. A caller that
// finds another thread driving hands its call over (Executor::Post) and
// sleeps on its Completion; the driver runs it with its own. A driver that
// leaves while handed-over calls are still outstanding wakes the library's
// own thread, which drives until none is left. That thread also gives the
// executor one tick when no call has driven it for a maintenance period, so
// an idle library still progresses its UCX worker.
//
// The executor must be created with ExecutorConfig::any_thread. Whoever holds
// the driver role owns every member of the executor and of the objects its
// fibers touch; the role passes between threads through atomics with
// sequentially consistent order, which is also what publishes that state.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "libbenchfs/completion.h"
#include "runtime/clock.h"
#include "runtime/executor.h"

namespace benchfs::capi {

class Driver {
 public:
  // Starts the library's thread. `maintenance` is the longest the executor
  // goes without a tick while nobody calls.
  Driver(Executor& ex, Duration maintenance);
  // Joins the library's thread; no call may be in flight.
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // Caller thread: runs `body` as a fiber and returns once it has signalled
  // `done` (which it must do last).
  void Call(std::function<void()> body, Completion& done);
  // Caller thread: when no other thread drives the executor, runs `fn` on
  // this thread outside any fiber (it must not wait) and returns what it
  // returns; false at once otherwise. Work that turns out to need a wait
  // returns false and goes through Call.
  template <typename Fn>
  bool TryInline(Fn&& fn) {
    if (!TryAcquire()) return false;
    const bool done = fn();
    Release();
    return done;
  }

  // Calls that have driven the executor on their own thread, and calls
  // handed to another driver (tests and benchmarks read them).
  uint64_t driven_calls() const { return driven_.load(std::memory_order_relaxed); }
  uint64_t handed_calls() const { return handed_total_.load(std::memory_order_relaxed); }

 private:
  bool TryAcquire();
  // Drives until `done` holds, then gives the role up.
  void DriveUntil(const std::function<bool()>& done);
  void Release();
  void WakeBackground();
  void Background();

  Executor& ex_;
  const Duration maintenance_;
  std::atomic<bool> held_{false};
  std::atomic<uint32_t> handed_{0};  // handed-over calls not yet finished
  std::atomic<uint32_t> wake_seq_{0};  // the library thread's futex word
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> driven_{0};
  std::atomic<uint64_t> handed_total_{0};
  std::thread thread_;
};

}  // namespace benchfs::capi

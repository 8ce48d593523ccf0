// SPDX-License-Identifier: BSD-3-Clause
// Executor: one thread's event loop. It runs fibers (context_switch.h, pooled
// guard-paged stacks) and drives the io_uring reactor. One tick:
//
//   run ready fibers   (those ready at the start of the tick, and fibers they
//                       wake, up to 64 runs or task_quota; a suspending fiber
//                       switches straight to the next one)
//   flush the SQ       (all SQEs the tick produced: natural batching)
//   reap the CQ        (a memory read, every tick, no syscall)
//   poll the pollers   (UCX progress)
//   expire timers      (one clock read, only when timers exist)
//   if nothing happened: spin up to idle_spin, then park in ONE blocking call
//
// Parking (io_uring_submit_and_wait_timeout) is the only place the thread
// sleeps, and it never happens while a fiber is ready, a completion is
// reapable or a timer is due. Cross-thread wake-ups go through an eventfd that
// the ring watches, written only while the executor is parking. Everything
// here is single-threaded except Post().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/cancellation.h"
#include "runtime/clock.h"
#include "runtime/context_switch.h"
#include "runtime/executor_config.h"
#include "runtime/executor_stats.h"
#include "runtime/fiber.h"
#include "runtime/poller.h"
#include "runtime/stack_pool.h"
#include "runtime/status.h"
#include "runtime/timer_heap.h"
#include "runtime/wait_options.h"
#include "runtime/wait_queue.h"

namespace benchfs {

class ReactorBackend;
class UcxReactor;
struct UcxConfig;
class UringReactor;

class Executor {
 public:
  // Validates the config and sets up the ring; errors name the knob or the
  // cause (e.g. io_uring disabled by the kernel or a seccomp filter).
  static Result<std::unique_ptr<Executor>> Create(const ExecutorConfig& config);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Spawns `main` as a fiber and runs the loop until it returns (or Stop()).
  // Other fibers may outlive it; they are unwound when the executor dies.
  void Run(std::function<void()> main);
  // Runs the loop on the calling thread until done() returns true (asked
  // after every tick; at least one tick runs) or Stop(). With
  // ExecutorConfig::any_thread, threads may take turns at driving the loop,
  // each holding the executor exclusively for as long as it drives it (a
  // lock of the owner's); every other member is then the driving thread's
  // only. A fiber that waits under one driver may resume under another: code
  // in fibers keeps no pointer to thread-local storage (errno included)
  // across a wait.
  void Drive(const std::function<bool()>& done);
  // Makes Run() or Drive() return after the current tick. Executor thread only.
  void Stop() {
    stop_ = true;
    handoffs_left_ = 0;
  }

  // --- Fibers (executor thread) ---
  FiberHandle Spawn(std::function<void()> body);
  // From a fiber: waits until `h` has finished.
  void Join(FiberHandle h);
  // From a fiber: lets every other ready fiber run first.
  void Yield();
  void SleepFor(Duration d);
  void SleepUntil(TimePoint t);
  bool InFiber() const { return current_ != nullptr; }

  // Thread-safe. Runs `fn` on the executor thread (the driving one) inside the loop (not in a
  // fiber: it may spawn fibers and wake waiters, but not wait), waking the
  // executor if it is parked.
  void Post(std::function<void()> fn);

  // Registers an event source polled every tick and watched while parked.
  // The poller must outlive its registration (RemovePoller before destroying it).
  void AddPoller(Poller* p);
  void RemovePoller(Poller* p);

  // --- Building blocks for runtime/ primitives ---
  // From a fiber: suspends it, queued on `q` (may be null), until another
  // party wakes it (kNotified), the deadline passes (kTimedOut) or the
  // cancellation fires (kCancelled).
  WakeReason Wait(WaitQueue* q, const WaitOptions& w = {});
  // Makes a waiting fiber ready; no-op if it is not waiting.
  void Wake(Fiber* f, WakeReason why = WakeReason::kNotified);
  bool WakeOne(WaitQueue& q);
  size_t WakeAll(WaitQueue& q);
  Fiber* current() const { return current_; }
  size_t ready_count() const { return ready_count_; }

  const ExecutorConfig& config() const { return config_; }
  const ExecutorStats& stats() const { return stats_; }
  ExecutorStats& mutable_stats() { return stats_; }
  // The io_uring reactor: the operations fibers run on the ring.
  UringReactor& uring() { return *uring_; }
  // Creates this executor's UCX worker (at most once; later calls return the
  // same reactor). It lives until the executor's fibers are gone.
  Result<UcxReactor*> EnableUcx(const UcxConfig& config);
  UcxReactor* ucx() { return ucx_; }
  // True while the executor is being destroyed: blocking calls fail fast.
  bool shutting_down() const { return shutting_down_; }
  // Fibers waiting with a deadline.
  size_t pending_timers() const { return timers_.size(); }
  // Live fibers (spawned and not yet finished).
  size_t live_fibers() const { return live_fibers_; }
  const StackPool& stack_pool() const { return stacks_; }

 private:
  friend class Cancellation;
  explicit Executor(const ExecutorConfig& config);

  bool Tick();
  void Idle();
  void Park(TimePoint now);
  bool RunReady();
  bool ExpireTimers();  // timers_ must not be empty
  bool DrainRemote();   // remote_pending_ must be set
  // Stack switches. The loop resumes a fiber with RunFiber; a fiber that
  // suspends (Suspend) or ends (FiberMain) hands off to the next ready fiber
  // while the tick's budget allows (MayHandOff), else returns to the loop.
  // The switching side saves its own context; whoever lands releases the
  // switching side if it ended (Landed: a stack cannot free itself).
  void RunFiber(Fiber* f);
  void Suspend(bool may_hand_off);
  bool MayHandOff();
  void BeginRun(Fiber* f);
  void Landed() {
    if (ended_ != nullptr) [[unlikely]] Retire();
  }
  void Retire();
  static Context* FiberEntry(void* executor, void* fiber);
  Context* FiberMain(Fiber* f);
  void PushReady(Fiber* f);
  Fiber* PopReady();
  Fiber* AllocFiber();
  void DestroyLiveFibers();

  ExecutorConfig config_;
  ExecutorStats stats_;
  StackPool stacks_;
  std::vector<std::unique_ptr<Fiber>> fibers_;  // every record ever made
  std::vector<Fiber*> free_fibers_;
  uint64_t next_fiber_id_ = 0;
  size_t live_fibers_ = 0;

  Fiber* ready_head_ = nullptr;
  Fiber* ready_tail_ = nullptr;
  size_t ready_count_ = 0;

  TimerHeap timers_;
  Fiber* current_ = nullptr;
  Context sched_;  // the loop's context while a fiber runs
  Fiber* switching_from_ = nullptr;  // the side of the current switch; null: the loop
  Fiber* ended_ = nullptr;  // switching_from_, when it ended: the landing side releases it
  static constexpr size_t kMinRunsPerTick = 64;
  static constexpr size_t kCheckEvery = 32;
  size_t handoffs_left_ = 0;  // hand-offs the running tick still allows
  uint64_t main_fiber_id_ = 0;  // the fiber Run() waits for
  size_t runs_in_tick_ = 0;
  bool check_budget_ = false;  // the tick's batch is large: bound it by task_quota
  TimePoint budget_end_{};
  void* sched_fake_stack_ = nullptr;
  const void* sched_stack_bottom_ = nullptr;
  size_t sched_stack_size_ = 0;

  bool running_ = false;
  bool stop_ = false;
  bool idle_ = false;
  bool shutting_down_ = false;
  TimePoint idle_since_{};
  static constexpr uint32_t kSpinClockEvery = 8;
  uint32_t spins_in_idle_ = 0;
  static constexpr uint32_t kBusyTicksPerTimerCheck = 16;
  uint32_t busy_ticks_ = 0;
  TimePoint timers_checked_at_{};  // when ExpireTimers last read the clock

  // The kernel backend the loop drives (the io_uring reactor) and the same
  // object as the reactor fibers call; then the UCX worker, destroyed first.
  std::unique_ptr<ReactorBackend> backend_;
  UringReactor* uring_ = nullptr;
  std::unique_ptr<Poller> ucx_owner_;
  UcxReactor* ucx_ = nullptr;
  std::vector<Poller*> pollers_;

  // Cross-thread posts.
  std::mutex remote_mu_;
  std::vector<std::function<void()>> remote_;
  std::atomic<bool> remote_pending_{false};
  std::atomic<bool> parking_{false};  // set from just before a park until it returns
};

// The ready queue is on every fiber switch: defined here so both halves of
// the executor inline it.
inline void Executor::PushReady(Fiber* f) {
  f->next_ready = nullptr;
  if (ready_tail_ != nullptr) {
    ready_tail_->next_ready = f;
  } else {
    ready_head_ = f;
  }
  ready_tail_ = f;
  ++ready_count_;
}

inline Fiber* Executor::PopReady() {
  Fiber* f = ready_head_;
  ready_head_ = f->next_ready;
  if (ready_head_ == nullptr) ready_tail_ = nullptr;
  --ready_count_;
  return f;
}

}  // namespace benchfs

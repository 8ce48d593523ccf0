// SPDX-License-Identifier: BSD-3-Clause
// Executor: fibers (spawning, stack switches, suspending a fiber on a wait
// queue, a deadline or a cancellation, waking it, unwinding live fibers when
// the executor dies) and the loop that runs them (the tick, idle spinning,
// parking, timers, pollers, cross-thread posts). The loop drives the kernel
// through ReactorBackend only. Both halves are one translation unit on
// purpose: a fiber switch crosses them, and split into two files it measured
// about 15 % slower (BM_FiberSwitch).
#include "runtime/executor.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "runtime/reactor_backend.h"
#include "runtime/sanitizer.h"

namespace benchfs {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

Executor::Executor(const ExecutorConfig& config)
    : config_(config), stacks_(config.stack_size, config.stack_cache) {}

Executor::~Executor() {
  shutting_down_ = true;
  DestroyLiveFibers();
  ucx_owner_.reset();  // fibers that used UCX are gone
  uring_ = nullptr;
  backend_.reset();  // cancels and drains what the kernel still holds
}

void Executor::Post(std::function<void()> fn) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(remote_mu_);
    was_empty = remote_.empty();
    remote_.push_back(std::move(fn));
    remote_pending_.store(true, std::memory_order_seq_cst);
  }
  // Only a parked executor needs the eventfd (a system call here and a
  // completion to reap there); a running one sees remote_pending_ on its next
  // tick. Park() publishes parking_ before it looks at remote_pending_ a last
  // time, so one of the two sides always sees the other.
  if (was_empty && parking_.load(std::memory_order_seq_cst)) backend_->Notify();
}

bool Executor::DrainRemote() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(remote_mu_);
    batch.swap(remote_);
    remote_pending_.store(false, std::memory_order_relaxed);
  }
  for (auto& fn : batch) fn();
  stats_.remote_posts += batch.size();
  return !batch.empty();
}

void Executor::BeginRun(Fiber* f) {
  current_ = f;
  f->state = Fiber::State::kRunning;
  ++stats_.fibers_run;
}

void Executor::Retire() {
  Fiber* f = ended_;
  ended_ = nullptr;
  stacks_.Release(f->stack);
  f->state = Fiber::State::kFree;
  --live_fibers_;
  free_fibers_.push_back(f);
}

void Executor::RunFiber(Fiber* f) {
  BeginRun(f);
  switching_from_ = nullptr;
  AsanStartSwitch(&sched_fake_stack_, f->stack_bottom, f->stack_size);
  SwitchContext(sched_, f->context);
  AsanFinishSwitch(sched_fake_stack_, nullptr, nullptr);
  current_ = nullptr;
  Landed();
}

bool Executor::RunReady() {
  const size_t n = ready_count_;
  if (n == 0) return false;
  // The loop resumes the first ready fiber; each fiber that suspends hands
  // off straight to the next ready one (one stack switch instead of two
  // through the loop) until the tick's budget is spent: every fiber ready at
  // the start of the tick, and at least kMinRunsPerTick runs, so fibers woken
  // by fibers also run without a trip through the loop. A fiber that yields
  // still lets the SQ flush and the CQ reap happen before it runs again,
  // within that bound. A large batch is also bounded in time; the clock is
  // read once per kCheckEvery runs and only when the batch is that large.
  handoffs_left_ = std::max(n, kMinRunsPerTick) - 1;
  runs_in_tick_ = 0;
  check_budget_ = n > kCheckEvery;
  if (check_budget_) budget_end_ = Now() + config_.task_quota;
  RunFiber(PopReady());
  handoffs_left_ = 0;
  return true;
}

bool Executor::MayHandOff() {
  if (handoffs_left_ == 0 || ready_count_ == 0) return false;
  --handoffs_left_;
  if (check_budget_ && ++runs_in_tick_ % kCheckEvery == 0 && Now() >= budget_end_) {
    handoffs_left_ = 0;
    return false;
  }
  return true;
}

bool Executor::ExpireTimers() {
  const TimePoint now = Now();
  timers_checked_at_ = now;
  bool fired = false;
  while (!timers_.empty() && timers_.earliest() <= now) {
    Wake(timers_.top(), WakeReason::kTimedOut);
    ++stats_.timers_fired;
    fired = true;
  }
  return fired;
}

bool Executor::Tick() {
  ++stats_.ticks;
  // Each step is guarded by an inline check so an empty step costs a load.
  bool progress = RunReady();
  if (remote_pending_.load(std::memory_order_acquire)) progress |= DrainRemote();
  progress |= backend_->Poll(ready_count_ > 0);
  for (Poller* p : pollers_) progress |= p->Poll();
  // Timers cost a clock read: a busy loop checks them every
  // kBusyTicksPerTimerCheck ticks, an idle one with its spin's clock reads
  // (the first idle tick always looks, so a due timer waits one tick at most
  // once the loop runs out of work).
  if (!timers_.empty() && (idle_ ? spins_in_idle_ % kSpinClockEvery == 0
                                 : ++busy_ticks_ % kBusyTicksPerTimerCheck == 0)) {
    progress |= ExpireTimers();
  }
  return progress;
}

void Executor::Idle() {
  if (backend_->PollWhenIdle()) {
    idle_ = false;
    return;
  }
  ++stats_.spins;
  if (!idle_) {
    idle_ = true;
    idle_since_ = Now();
    spins_in_idle_ = 0;
  } else if (++spins_in_idle_ % kSpinClockEvery != 0) {
    CpuRelax();  // the clock is read only every kSpinClockEvery spins
    return;
  }
  const TimePoint now = config_.idle_spin == Duration(0) ? idle_since_ : Now();
  if (now - idle_since_ < config_.idle_spin) {
    CpuRelax();
    return;
  }
  Park(now);
  idle_ = false;
}

void Executor::Park(TimePoint now) {
  // The invariant: never sleep with work that could run now. A ready fiber,
  // or a timer that was already due when this tick looked, is a loop bug.
  if (ready_count_ > 0 || timers_.earliest() <= timers_checked_at_) {
    ++stats_.park_violations;
    assert(false && "park with a ready fiber or a due timer");
    return;
  }
  if (timers_.earliest() <= now) return;  // fell due since the tick looked: fire it first
  if (config_.complete_timeout == Duration(0)) return;  // busy-poll mode: never sleep
  if (!backend_->CanSleep()) return;
  for (Poller* p : pollers_) {
    if (!p->ArmForPark()) return;  // events are pending: poll again instead
  }
  TimePoint until = std::min(timers_.earliest(), now + config_.complete_timeout);
  until = std::min(until, backend_->NextWake());
  if (until <= now) return;
  parking_.store(true, std::memory_order_seq_cst);
  if (remote_pending_.load(std::memory_order_seq_cst)) {  // posted before Post could see parking_
    parking_.store(false, std::memory_order_relaxed);
    return;
  }
  ++stats_.parks;
  if (config_.timing_stats) {
    backend_->WaitForEvents(until - now);
    stats_.park_ns += static_cast<uint64_t>((Now() - now).count());
  } else {
    backend_->WaitForEvents(until - now);
  }
  parking_.store(false, std::memory_order_relaxed);
}

void Executor::AddPoller(Poller* p) {
  pollers_.push_back(p);
  if (p->wake_fd() >= 0) backend_->WatchFd(p->wake_fd());
}

void Executor::RemovePoller(Poller* p) {
  auto it = std::find(pollers_.begin(), pollers_.end(), p);
  if (it == pollers_.end()) return;
  pollers_.erase(it);
  if (p->wake_fd() >= 0) backend_->UnwatchFd(p->wake_fd());
}

void Executor::Drive(const std::function<bool()>& done) {
  assert(!running_ && "Executor::Drive is not reentrant");
  running_ = true;
  stop_ = false;
  idle_ = false;
  do {
    if (Tick()) {
      idle_ = false;
    } else {
      Idle();
    }
  } while (!done() && !stop_);
  running_ = false;
}

void Executor::Run(std::function<void()> main) {
  assert(!running_ && "Executor::Run is not reentrant");
  running_ = true;
  stop_ = false;
  idle_ = false;
  FiberHandle h = Spawn(std::move(main));
  main_fiber_id_ = h.id_;
  while (!h.done() && !stop_) {
    if (Tick()) {
      idle_ = false;
    } else {
      Idle();
    }
  }
  running_ = false;
}

// ---- Fibers ----

void Executor::DestroyLiveFibers() {
  // Every live fiber is resumed once more and runs to its end: one that never
  // started ends without running its body; a suspended one finds its wait
  // point throwing FiberUnwind (shutting_down_ is set), so its destructors
  // run. Waits fail fast from here on, so the unwinding cannot suspend.
  ready_head_ = ready_tail_ = nullptr;
  ready_count_ = 0;
  handoffs_left_ = 0;  // every switch below returns to this loop
  for (auto& owned : fibers_) {
    Fiber* f = owned.get();
    if (f->state != Fiber::State::kReady && f->state != Fiber::State::kWaiting) continue;
    if (f->wait_hook.queue != nullptr) f->wait_hook.queue->Remove(f->wait_hook);
    if (f->timer_pos != Fiber::kNoTimer) timers_.Remove(f);
    if (f->cancel != nullptr) {
      f->cancel->waiter_ = nullptr;
      f->cancel = nullptr;
    }
    if (!f->started) f->body = nullptr;
    RunFiber(f);
    assert(f->state == Fiber::State::kFree && "a fiber suspended while being unwound");
  }
}

Fiber* Executor::AllocFiber() {
  if (!free_fibers_.empty()) {
    Fiber* f = free_fibers_.back();
    free_fibers_.pop_back();
    return f;
  }
  fibers_.push_back(std::make_unique<Fiber>());
  return fibers_.back().get();
}

FiberHandle Executor::Spawn(std::function<void()> body) {
  Fiber* f = AllocFiber();
  f->id = ++next_fiber_id_;
  f->body = std::move(body);
  f->started = false;
  f->stack = stacks_.Allocate();
  f->stack_size = f->stack.size;
  f->stack_bottom = static_cast<char*>(f->stack.sp) - f->stack.size;
  AsanUnpoison(f->stack_bottom, f->stack_size);
  MakeContext(f->context, f->stack, &Executor::FiberEntry, this, f);
  ++live_fibers_;
  ++stats_.fibers_spawned;
  f->state = Fiber::State::kReady;
  PushReady(f);
  return FiberHandle(f, f->id);
}

Context* Executor::FiberEntry(void* executor, void* fiber) {
  return static_cast<Executor*>(executor)->FiberMain(static_cast<Fiber*>(fiber));
}

Context* Executor::FiberMain(Fiber* f) {
  const void* from_bottom = nullptr;
  size_t from_size = 0;
  AsanFinishSwitch(nullptr, &from_bottom, &from_size);
  if (switching_from_ == nullptr) {  // started by the loop: learn its stack
    sched_stack_bottom_ = from_bottom;
    sched_stack_size_ = from_size;
  }
  Landed();
  f->started = true;
  try {
    if (f->body) f->body();
  } catch (const FiberUnwind&) {
    // The executor is being destroyed: the fiber's frames are unwound; it
    // ends like any other.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchfs: uncaught exception in a fiber: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "benchfs: uncaught non-standard exception in a fiber\n");
    std::abort();
  }
  f->body = nullptr;  // destroy captured state on the fiber's own stack
  f->state = Fiber::State::kDone;
  WakeAll(f->joiners);
  if (f->id == main_fiber_id_) handoffs_left_ = 0;  // Run() returns with its main
  // This stack is dead once the switch below leaves it; the side that lands
  // releases it (Landed).
  switching_from_ = f;
  ended_ = f;
  if (MayHandOff()) {
    Fiber* next = PopReady();
    BeginRun(next);
    AsanStartSwitch(nullptr, next->stack_bottom, next->stack_size);
    return &next->context;
  }
  current_ = nullptr;
  AsanStartSwitch(nullptr, sched_stack_bottom_, sched_stack_size_);
  return &sched_;
}

void Executor::Suspend(bool may_hand_off) {
  Fiber* self = current_;
  Fiber* next = may_hand_off && MayHandOff() ? PopReady() : nullptr;
  Context* target = &sched_;
  if (next != nullptr) {
    BeginRun(next);
    target = &next->context;
    AsanStartSwitch(&self->asan_fake_stack, next->stack_bottom, next->stack_size);
  } else {
    current_ = nullptr;
    AsanStartSwitch(&self->asan_fake_stack, sched_stack_bottom_, sched_stack_size_);
  }
  switching_from_ = self;
  SwitchContext(self->context, *target);
#if defined(BENCHFS_ASAN)
  // Resumed by the loop: its stack is the driving thread's, which may not be
  // the one this fiber last returned to (Drive from another thread).
  const void* from_bottom = nullptr;
  size_t from_size = 0;
  AsanFinishSwitch(self->asan_fake_stack, &from_bottom, &from_size);
  if (switching_from_ == nullptr) {
    sched_stack_bottom_ = from_bottom;
    sched_stack_size_ = from_size;
  }
#else
  AsanFinishSwitch(self->asan_fake_stack, nullptr, nullptr);
#endif
  Landed();
  if (shutting_down_) [[unlikely]] throw FiberUnwind{};  // resumed by DestroyLiveFibers
}

void Executor::Join(FiberHandle h) {
  assert(InFiber() && "Join() must be called from a fiber");
  while (!h.done()) Wait(&h.fiber_->joiners);
}

void Executor::Yield() {
  assert(InFiber() && "Yield() must be called from a fiber");
  if (shutting_down_) return;  // a fiber being unwound never suspends
  Fiber* f = current_;
  const bool others_ready = ready_count_ > 0;  // else go round the loop
  f->state = Fiber::State::kReady;
  PushReady(f);
  Suspend(others_ready);
}

void Executor::SleepFor(Duration d) { SleepUntil(Now() + d); }

void Executor::SleepUntil(TimePoint t) {
  while (Now() < t) {
    if (Wait(nullptr, WaitOptions::Until(t)) == WakeReason::kCancelled) return;
  }
}

WakeReason Executor::Wait(WaitQueue* q, const WaitOptions& options) {
  assert(InFiber() && "blocking call outside a fiber");
  const WaitOptions w = options.Resolved();
  if (w.cancel != nullptr && w.cancel->cancelled()) return WakeReason::kCancelled;
  if (shutting_down_) return WakeReason::kCancelled;
  Fiber* f = current_;
  f->state = Fiber::State::kWaiting;
  if (q != nullptr) q->PushBack(f->wait_hook);
  if (w.deadline != kNoDeadline) {
    f->deadline = w.deadline;
    timers_.Push(f);
  }
  if (w.cancel != nullptr) {
    f->cancel = w.cancel;
    w.cancel->waiter_ = f;
  }
  Suspend(true);
  return f->wake_reason;
}

void Executor::Wake(Fiber* f, WakeReason why) {
  if (f->state != Fiber::State::kWaiting) return;
  if (f->wait_hook.queue != nullptr) f->wait_hook.queue->Remove(f->wait_hook);
  if (f->timer_pos != Fiber::kNoTimer) timers_.Remove(f);
  if (f->cancel != nullptr) {
    f->cancel->waiter_ = nullptr;
    f->cancel = nullptr;
  }
  f->wake_reason = why;
  f->state = Fiber::State::kReady;
  PushReady(f);
}

bool Executor::WakeOne(WaitQueue& q) {
  Fiber* f = q.front();
  if (f == nullptr) return false;
  Wake(f);
  return true;
}

size_t Executor::WakeAll(WaitQueue& q) {
  size_t n = 0;
  while (Fiber* f = q.front()) {
    Wake(f);
    ++n;
  }
  return n;
}

Cancellation::~Cancellation() {
  if (waiter_ != nullptr) waiter_->cancel = nullptr;
}

void Cancellation::Cancel() {
  cancelled_ = true;
  if (waiter_ != nullptr) ex_->Wake(waiter_, WakeReason::kCancelled);
}

}  // namespace benchfs

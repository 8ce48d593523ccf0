// Executor's fiber half: spawning, switching stacks, suspending a fiber on a
// wait queue, a deadline or a cancellation, and waking it; the unwinding of
// live fibers when the executor dies.
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <boost/context/detail/exception.hpp>

#include "runtime/executor.h"
#include "runtime/sanitizer.h"

namespace benchfs {
namespace {

using ForcedUnwind = boost::context::detail::forced_unwind;

// Stack allocator for one fiber: takes a stack from the pool and records its
// bounds in the fiber (AddressSanitizer needs them at every switch).
class FiberStackAllocator {
 public:
  FiberStackAllocator(StackPool& pool, Fiber* f) : pool_(&pool), fiber_(f) {}
  boost::context::stack_context allocate() {
    boost::context::stack_context sctx = pool_->Allocate();
    fiber_->stack_size = sctx.size;
    fiber_->stack_bottom = static_cast<char*>(sctx.sp) - sctx.size;
    AsanUnpoison(fiber_->stack_bottom, sctx.size);
    return sctx;
  }
  void deallocate(boost::context::stack_context& sctx) noexcept { pool_->Release(sctx); }

 private:
  StackPool* pool_;
  Fiber* fiber_;
};

}  // namespace

void Executor::DestroyLiveFibers() {
  // Fibers that never ran are resumed with no body so they end normally;
  // suspended ones are unwound (their destructors run) by Boost.Context.
  ready_head_ = ready_tail_ = nullptr;
  ready_count_ = 0;
  for (auto& owned : fibers_) {
    Fiber* f = owned.get();
    if (f->state != Fiber::State::kReady && f->state != Fiber::State::kWaiting) continue;
    if (f->wait_hook.queue != nullptr) f->wait_hook.queue->Remove(f->wait_hook);
    if (f->timer_pos != Fiber::kNoTimer) timers_.Remove(f);
    if (f->cancel != nullptr) {
      f->cancel->waiter_ = nullptr;
      f->cancel = nullptr;
    }
    if (!f->started) {
      f->body = nullptr;
      RunFiber(f);
      continue;
    }
    current_ = f;
    AsanStartSwitch(&sched_fake_stack_, f->stack_bottom, f->stack_size);
    { boost::context::fiber doomed = std::move(f->context); }  // throws forced_unwind inside f
    AsanFinishSwitch(sched_fake_stack_, nullptr, nullptr);
    current_ = nullptr;
    f->body = nullptr;
    f->state = Fiber::State::kFree;
    --live_fibers_;
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
  f->context = boost::context::fiber(
      std::allocator_arg, FiberStackAllocator(stacks_, f),
      [this, f](boost::context::fiber&& sched) { return FiberMain(f, std::move(sched)); });
  ++live_fibers_;
  ++stats_.fibers_spawned;
  f->state = Fiber::State::kReady;
  PushReady(f);
  return FiberHandle(f, f->id);
}

boost::context::fiber Executor::FiberMain(Fiber* f, boost::context::fiber&& sched) {
  AsanFinishSwitch(nullptr, &sched_stack_bottom_, &sched_stack_size_);
  sched_ = std::move(sched);
  f->started = true;
  try {
    if (f->body) f->body();
  } catch (const ForcedUnwind&) {
    AsanStartSwitch(nullptr, sched_stack_bottom_, sched_stack_size_);
    throw;  // Boost.Context finishes the unwind and returns to the loop
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
  AsanStartSwitch(nullptr, sched_stack_bottom_, sched_stack_size_);
  return std::move(sched_);
}

void Executor::RunFiber(Fiber* f) {
  current_ = f;
  f->state = Fiber::State::kRunning;
  ++stats_.fibers_run;
  AsanStartSwitch(&sched_fake_stack_, f->stack_bottom, f->stack_size);
  f->context = std::move(f->context).resume();
  AsanFinishSwitch(sched_fake_stack_, nullptr, nullptr);
  current_ = nullptr;
  if (!f->context) {  // the fiber returned; its stack is back in the pool
    f->state = Fiber::State::kFree;
    --live_fibers_;
    free_fibers_.push_back(f);
  }
}

void Executor::SwitchToScheduler() {
  Fiber* f = current_;
  AsanStartSwitch(&f->asan_fake_stack, sched_stack_bottom_, sched_stack_size_);
  try {
    sched_ = std::move(sched_).resume();
  } catch (const ForcedUnwind&) {
    AsanFinishSwitch(f->asan_fake_stack, &sched_stack_bottom_, &sched_stack_size_);
    throw;
  }
  AsanFinishSwitch(f->asan_fake_stack, &sched_stack_bottom_, &sched_stack_size_);
}

void Executor::PushReady(Fiber* f) {
  f->next_ready = nullptr;
  if (ready_tail_ != nullptr) {
    ready_tail_->next_ready = f;
  } else {
    ready_head_ = f;
  }
  ready_tail_ = f;
  ++ready_count_;
}

Fiber* Executor::PopReady() {
  Fiber* f = ready_head_;
  ready_head_ = f->next_ready;
  if (ready_head_ == nullptr) ready_tail_ = nullptr;
  --ready_count_;
  return f;
}

void Executor::Join(FiberHandle h) {
  assert(InFiber() && "Join() must be called from a fiber");
  while (!h.done()) Wait(&h.fiber_->joiners);
}

void Executor::Yield() {
  assert(InFiber() && "Yield() must be called from a fiber");
  Fiber* f = current_;
  f->state = Fiber::State::kReady;
  PushReady(f);
  SwitchToScheduler();
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
  SwitchToScheduler();
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

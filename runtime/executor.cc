// Executor's loop: the tick, idle spinning, parking, timers, pollers and
// cross-thread posts. It drives the kernel through ReactorBackend only.
#include "runtime/executor.h"

#include <algorithm>
#include <cassert>

#include "runtime/reactor_backend.h"

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
    remote_pending_.store(true, std::memory_order_release);
  }
  if (was_empty) backend_->Notify();
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

bool Executor::RunReady() {
  const size_t n = ready_count_;
  if (n == 0) return false;
  // Only fibers ready at the start of the tick run in it, so a fiber that
  // yields lets the SQ flush and the CQ reap happen before it runs again.
  // A large batch is also bounded in time; the clock is read once per 32
  // fibers and only when the batch is that large.
  constexpr size_t kCheckEvery = 32;
  TimePoint budget_end{};
  if (n > kCheckEvery) budget_end = Now() + config_.task_quota;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && i % kCheckEvery == 0 && Now() >= budget_end) break;
    RunFiber(PopReady());
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
  progress |= backend_->SubmitWork(ready_count_ > 0);
  progress |= backend_->ReapCompletions();
  for (Poller* p : pollers_) progress |= p->Poll();
  // While spinning idle, timers are checked with the spin's clock reads.
  if (!timers_.empty() && (!idle_ || spins_in_idle_ % kSpinClockEvery == 0)) {
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
  ++stats_.parks;
  if (config_.timing_stats) {
    backend_->WaitForEvents(until - now);
    stats_.park_ns += static_cast<uint64_t>((Now() - now).count());
  } else {
    backend_->WaitForEvents(until - now);
  }
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

void Executor::Run(std::function<void()> main) {
  assert(!running_ && "Executor::Run is not reentrant");
  running_ = true;
  stop_ = false;
  idle_ = false;
  FiberHandle h = Spawn(std::move(main));
  while (!h.done() && !stop_) {
    if (Tick()) {
      idle_ = false;
    } else {
      Idle();
    }
  }
  running_ = false;
}

}  // namespace benchfs

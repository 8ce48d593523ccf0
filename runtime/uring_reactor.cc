// SPDX-License-Identifier: BSD-3-Clause
// UringReactor's core: ring set-up and teardown, in-flight slots, and
// submission and reaping as the policy decides. Sleeping and waking is in
// uring_park.cc, the operations in uring_ops.cc.
#include "runtime/uring_reactor.h"

#include <poll.h>
#include <sys/eventfd.h>

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "runtime/executor.h"
#include "runtime/uring_slot.h"

namespace benchfs {

namespace {

std::string ReadSysctl(const char* path) {
  std::ifstream in(path);
  std::string v;
  if (in >> v) return v;
  return "";
}

Status SetupError(int err, const ExecutorConfig& c) {
  std::string setup(RingSetupName(c.ring_setup));
  switch (err) {
    case EPERM: {
      std::string disabled = ReadSysctl("/proc/sys/kernel/io_uring_disabled");
      std::string why = disabled.empty() || disabled == "0"
                            ? "a seccomp filter or container policy blocks io_uring_setup"
                            : "sysctl kernel.io_uring_disabled = " + disabled;
      return Status::Unavailable("io_uring is not permitted for this process (io_uring_setup: EPERM): " + why +
                        "; allow io_uring (e.g. kernel.io_uring_disabled=0) or run elsewhere",
                    err);
    }
    case ENOSYS:
      return Status::Unavailable("this kernel does not provide io_uring (io_uring_setup: ENOSYS); "
                    "BenchFS needs Linux 5.11 or newer",
                    err);
    case EINVAL:
      if (c.ring_setup != RingSetup::kNone) {
        return Status::InvalidArgument("ring_setup = " + setup +
                          " is not supported by this kernel (io_uring_setup: EINVAL); "
                          "try ring_setup = none",
                      err);
      }
      return Status::InvalidArgument("ring_entries = " + std::to_string(c.ring_entries) +
                        " was rejected by io_uring_setup (EINVAL)",
                    err);
    case ENOMEM:
      return Status::ResourceExhausted("io_uring_setup: ENOMEM for a ring of " + std::to_string(c.ring_entries) +
                        " entries; lower ring_entries or raise the locked-memory limit (ulimit -l)",
                    err);
    default:
      return Status::FromErrno(err, "io_uring_setup (ring_setup = " + setup + ")");
  }
}

}  // namespace

UringReactor::UringReactor(Executor& ex, const ExecutorConfig& config)
    : ex_(ex),
      config_(config),
      policy_(MakeReactorPolicy(config)),
      completes_inline_(policy_->CompletesInline()) {}

Result<std::unique_ptr<UringReactor>> UringReactor::Create(Executor& ex,
                                                           const ExecutorConfig& config) {
  std::unique_ptr<UringReactor> r(new UringReactor(ex, config));
  Status s = r->Init();
  if (!s.ok()) return s;
  return r;
}

Status UringReactor::Init() {
  io_uring_params p{};
  switch (config_.ring_setup) {
    case RingSetup::kNone: break;
    case RingSetup::kCoopTaskrun: p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG; break;
    case RingSetup::kSingleIssuerDeferTaskrun:
      p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
      break;
    case RingSetup::kSqpoll:
      p.flags = IORING_SETUP_SQPOLL;
      p.sq_thread_idle = config_.sqpoll_idle_ms;
      break;
  }
  int ret = io_uring_queue_init_params(config_.ring_entries, &ring_, &p);
  if (ret < 0) return SetupError(-ret, config_);
  ring_ready_ = true;
  setup_flags_ = p.flags;
  // io_uring_enter through a registered ring index skips the fd lookup
  // (fget/fput) on every submission; older kernels simply keep the fd. The
  // index is the registering thread's: a loop other threads drive keeps the fd.
  if (!config_.any_thread) (void)io_uring_register_ring_fd(&ring_);
  if (!(p.features & IORING_FEAT_EXT_ARG) || !(p.features & IORING_FEAT_NODROP)) {
    return Status::Unavailable("this kernel's io_uring lacks IORING_FEAT_EXT_ARG/NODROP; "
                  "BenchFS needs Linux 5.11 or newer");
  }

  if (config_.io_workers > 0) {
    unsigned limits[2] = {config_.io_workers, config_.io_workers};
    ret = io_uring_register_iowq_max_workers(&ring_, limits);
    if (ret < 0 && ret != -EINVAL) {
      return Status::FromErrno(-ret, "limiting io-wq workers to " + std::to_string(config_.io_workers) +
                                         " (knob io_workers)");
    }
  }

  slots_.resize(ring_.cq.ring_entries);
  free_slots_.reserve(slots_.size());
  for (uint32_t i = static_cast<uint32_t>(slots_.size()); i > 0; --i) free_slots_.push_back(i - 1);

  wake_fd_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_fd_.valid()) return Status::FromErrno(errno, "eventfd for cross-thread wake-ups");

  if (config_.fixed_files > 0) {
    ret = io_uring_register_files_sparse(&ring_, config_.fixed_files);
    if (ret == -EINVAL) {
      std::vector<int> empty(config_.fixed_files, -1);
      ret = io_uring_register_files(&ring_, empty.data(), config_.fixed_files);
    }
    if (ret < 0) {
      return Status::FromErrno(-ret, "registering a fixed-file table of " +
                                         std::to_string(config_.fixed_files) +
                                         " entries (knob fixed_files)");
    }
    for (int i = static_cast<int>(config_.fixed_files); i > 0; --i) free_fixed_.push_back(i - 1);
  }
  return Status();
}

UringReactor::~UringReactor() {
  if (!ring_ready_) return;
  CancelAllAndDrain();
  slots_.clear();  // releases buffers (some may belong to buffers_) before the pool
  io_uring_queue_exit(&ring_);
  buffers_.reset();
}

void UringReactor::CancelAllAndDrain() {
  Flush();
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].submitted && !slots_[i].completed) CancelUserData(UserData(i));
  }
  Flush();
  const TimePoint give_up = Now() + std::chrono::seconds(10);
  while (inflight_ + internal_inflight_ > 0 && Now() < give_up) {
    __kernel_timespec ts = ToTimespec(std::chrono::milliseconds(100));
    io_uring_cqe* cqe = nullptr;
    io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    ReapAll();
  }
  if (inflight_ + internal_inflight_ > 0) {
    // The kernel still owns these slots' buffers: leaking them is the only safe choice.
    std::fprintf(stderr, "benchfs: %u io_uring operations did not finish at shutdown\n",
                 inflight_ + internal_inflight_);
    static_cast<void>(new std::vector<UringSlot>(std::move(slots_)));
  }
}

uint32_t UringReactor::AcquireSlot(const WaitOptions& w, Status* why) {
  while (free_slots_.empty() && !ex_.shutting_down()) {
    ++ex_.mutable_stats().slot_waits;
    WakeReason r = ex_.Wait(&slot_waiters_, w);
    if (r == WakeReason::kTimedOut) {
      *why = Status::TimedOut("io_uring: no in-flight slot became free before the deadline");
      return kNoSlot;
    }
    if (r == WakeReason::kCancelled) {
      *why = Status::Cancelled("io_uring: cancelled while waiting for an in-flight slot");
      return kNoSlot;
    }
  }
  if (ex_.shutting_down()) {
    *why = Status::Cancelled("io_uring: the executor is shutting down");
    return kNoSlot;
  }
  uint32_t idx = free_slots_.back();
  free_slots_.pop_back();
  slots_[idx].in_use = true;
  return idx;
}

void UringReactor::FreeSlot(uint32_t idx) {
  UringSlot& s = slots_[idx];
  s.ReleaseResources();
  s.in_use = s.submitted = s.completed = s.internal = false;
  s.waiter = nullptr;
  s.callback = nullptr;
  s.callback_ctx = nullptr;
  ++s.generation;
  free_slots_.push_back(idx);
  if (!slot_waiters_.empty()) ex_.WakeOne(slot_waiters_);
}

io_uring_sqe* UringReactor::AcquireSqe() {
  io_uring_sqe* sqe;
  while ((sqe = io_uring_get_sqe(&ring_)) == nullptr) {
    Flush();
    if ((sqe = io_uring_get_sqe(&ring_)) != nullptr) break;
    ++ex_.mutable_stats().sq_full_waits;
    ex_.Wait(&sqe_waiters_);
  }
  return sqe;
}

void UringReactor::AcquireSqes(io_uring_sqe** out, unsigned n) {
  while (io_uring_sq_space_left(&ring_) < n) {
    Flush();
    if (io_uring_sq_space_left(&ring_) >= n) break;
    ++ex_.mutable_stats().sq_full_waits;
    ex_.Wait(&sqe_waiters_);
  }
  for (unsigned i = 0; i < n; ++i) out[i] = io_uring_get_sqe(&ring_);
}

void UringReactor::CancelUserData(uint64_t user_data) {
  if (!ring_ready_) return;
  io_uring_sqe* sqe = ex_.InFiber() && !ex_.shutting_down() ? AcquireSqe() : io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    Flush();
    sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) return;  // the completion will still arrive and free the slot
  }
  io_uring_prep_cancel64(sqe, user_data, 0);
  io_uring_sqe_set_data64(sqe, kIgnoreUserData);
  ++ex_.mutable_stats().cancels;
}

bool UringReactor::Flush() {
  if (io_uring_sq_ready(&ring_) == 0) return false;
  int ret = io_uring_submit(&ring_);
  if (ret < 0) {
    if (ret == -EINTR || ret == -EAGAIN || ret == -EBUSY) return false;  // retried next tick
    FatalUringError("io_uring_submit", -ret);
  }
  ExecutorStats& st = ex_.mutable_stats();
  ++st.sq_flushes;
  st.sqes_submitted += static_cast<uint64_t>(ret);
  policy_->OnSubmit();
  if (!sqe_waiters_.empty()) ex_.WakeAll(sqe_waiters_);
  return ret > 0;
}

bool UringReactor::SubmitPending(bool fibers_runnable) {
  if (!policy_->ShouldSubmit(io_uring_sq_ready(&ring_), fibers_runnable)) return false;
  return Flush();
}

bool UringReactor::Reap() {
  if ((setup_flags_ & IORING_SETUP_TASKRUN_FLAG) &&
      (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_TASKRUN)) {
    io_uring_get_events(&ring_);
  }
  return ReapAll();
}

bool UringReactor::ReapAll() {
  unsigned head;
  unsigned n = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    Complete(cqe->user_data, cqe->res, cqe->flags);
    ++n;
  }
  if (n == 0) return false;
  io_uring_cq_advance(&ring_, n);
  ExecutorStats& st = ex_.mutable_stats();
  st.cqes_reaped += n;
  ++st.reap_ticks;
  st.io_depth = inflight_;
  return true;
}

void UringReactor::Complete(uint64_t user_data, int32_t res, uint32_t flags) {
  if (user_data == kIgnoreUserData) return;
  const uint32_t idx = static_cast<uint32_t>(user_data);
  const uint32_t gen = static_cast<uint32_t>(user_data >> 32);
  if (idx >= slots_.size() || slots_[idx].generation != gen || !slots_[idx].submitted ||
      slots_[idx].completed) {
    ++ex_.mutable_stats().stray_cqes;
    return;
  }
  UringSlot& s = slots_[idx];
  if (s.internal) {
    Callback cb = s.callback;
    void* ctx = s.callback_ctx;
    const uint64_t arg = s.callback_arg;
    if (!(flags & IORING_CQE_F_MORE)) {
      --internal_inflight_;
      FreeSlot(idx);
    }
    cb(ctx, arg, res, flags);
    return;
  }
  --inflight_;
  s.completed = true;
  s.result = res;
  s.cqe_flags = flags;
  if (s.waiter != nullptr) {
    ex_.Wake(s.waiter);
  } else {
    FreeSlot(idx);  // orphaned by a timeout or cancellation: the kernel is done with it
  }
}

bool UringReactor::PollWhenIdle() {
  if (!(setup_flags_ & IORING_SETUP_DEFER_TASKRUN) || inflight_ == 0) return false;
  // The kernel posts deferred completions only when asked, and only when the
  // policy lets the reactor look (the gated policy: once its gate is open).
  if (!policy_->MayReap(inflight_)) return false;
  io_uring_get_events(&ring_);
  return ReapAll();
}

bool UringReactor::SubmitInternal(io_uring_sqe** sqe_out, Callback cb, uint64_t arg,
                                  uint64_t* user_data) {
  if (free_slots_.empty()) return false;
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) return false;  // retried before the next park
  const uint32_t idx = free_slots_.back();
  free_slots_.pop_back();
  UringSlot& s = slots_[idx];
  s.in_use = s.submitted = s.internal = true;
  s.callback = cb;
  s.callback_ctx = this;
  s.callback_arg = arg;
  *user_data = UserData(idx);
  *sqe_out = sqe;
  ++internal_inflight_;
  return true;
}

}  // namespace benchfs

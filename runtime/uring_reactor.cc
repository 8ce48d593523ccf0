// UringReactor implementation: ring setup, slots, submission policy (polled
// and gated), reaping, parking, and the operations.
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

namespace benchfs {

struct UringReactor::Slot {
  uint32_t generation = 0;
  bool in_use = false;
  bool submitted = false;
  bool completed = false;
  bool internal = false;  // runtime-owned operation with a callback
  Fiber* waiter = nullptr;
  int32_t result = 0;
  uint32_t cqe_flags = 0;
  Callback callback = nullptr;
  void* callback_ctx = nullptr;
  uint64_t callback_arg = 0;
  // Resources the kernel may touch until the completion arrives.
  IoBuffer buffer;
  std::vector<IoBuffer> buffers;
  std::vector<iovec> iov;
  std::string path;
  struct statx stx {};
  __kernel_timespec ts{};

  void ReleaseResources() {
    buffer.Reset();
    buffers.clear();
    iov.clear();
    path.clear();
  }
};

// Owns one slot for the duration of one operation. If the wait for the
// completion ends early the slot is orphaned: the lease lets go and the slot
// is freed when the kernel's completion arrives.
class UringReactor::SlotLease {
 public:
  SlotLease(UringReactor& r, const WaitOptions& w) : r_(r), idx_(r.AcquireSlot(w, &status_)) {}
  ~SlotLease() {
    if (idx_ == kNoSlot) return;
    Slot& s = r_.slots_[idx_];
    if (s.submitted && !s.completed) {
      s.waiter = nullptr;  // unwinding: completion frees it
    } else {
      r_.FreeSlot(idx_);
    }
  }
  SlotLease(const SlotLease&) = delete;
  SlotLease& operator=(const SlotLease&) = delete;

  bool ok() const { return idx_ != kNoSlot; }
  const Status& status() const { return status_; }
  Slot& slot() { return r_.slots_[idx_]; }

  Result<int32_t> SubmitAndWait(io_uring_sqe* sqe, const WaitOptions& w, const char* op) {
    Slot& s = slot();
    io_uring_sqe_set_data64(sqe, r_.UserData(idx_));
    s.submitted = true;
    s.waiter = r_.ex_.current();
    r_.OnSubmitted();
    r_.TryCompleteInline();
    while (!s.completed) {
      WakeReason why = r_.ex_.Wait(nullptr, w);
      if (s.completed) break;
      if (why == WakeReason::kNotified) continue;
      s.waiter = nullptr;
      const uint64_t user_data = r_.UserData(idx_);
      idx_ = kNoSlot;
      r_.CancelUserData(user_data);
      std::string msg = std::string("io_uring ") + op;
      if (why == WakeReason::kTimedOut) {
        return Status(StatusCode::kTimedOut, msg + " did not complete before its deadline");
      }
      return Status(StatusCode::kCancelled, msg + " was cancelled");
    }
    if (s.result < 0) return Status::FromErrno(-s.result, std::string("io_uring ") + op);
    return s.result;
  }

  // For linked chains (see WriteDurable): marks the slot's SQE submitted to
  // the calling fiber without waiting; the caller waits for every link.
  void Submit(io_uring_sqe* sqe) {
    Slot& s = slot();
    io_uring_sqe_set_data64(sqe, r_.UserData(idx_));
    s.submitted = true;
    s.waiter = r_.ex_.current();
    r_.OnSubmitted();
  }
  bool completed() { return idx_ == kNoSlot || slot().completed; }
  // The wait ended early: an operation still in flight is left to its
  // completion (which frees the slot) and cancelled.
  void Abandon() {
    if (idx_ == kNoSlot || slot().completed) return;
    slot().waiter = nullptr;
    const uint64_t user_data = r_.UserData(idx_);
    idx_ = kNoSlot;
    r_.CancelUserData(user_data);
  }

 private:
  UringReactor& r_;
  Status status_;
  uint32_t idx_;
};

namespace {

[[noreturn]] void Fatal(const char* what, int err) {
  std::fprintf(stderr, "benchfs: fatal io_uring error in %s: %s (%s)\n", what, std::strerror(err),
               ErrnoName(err).c_str());
  std::abort();
}

__kernel_timespec ToTimespec(Duration d) {
  if (d < Duration(0)) d = Duration(0);
  __kernel_timespec ts;
  ts.tv_sec = d.count() / 1000000000;
  ts.tv_nsec = d.count() % 1000000000;
  return ts;
}

void ApplyFile(io_uring_sqe* sqe, const FileRef& f) {
  if (f.fixed) sqe->flags |= IOSQE_FIXED_FILE;
}

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
      return Status(StatusCode::kUnavailable,
                    "io_uring is not permitted for this process (io_uring_setup: EPERM): " + why +
                        "; allow io_uring (e.g. kernel.io_uring_disabled=0) or run elsewhere",
                    err);
    }
    case ENOSYS:
      return Status(StatusCode::kUnavailable,
                    "this kernel does not provide io_uring (io_uring_setup: ENOSYS); "
                    "BenchFS needs Linux 5.11 or newer",
                    err);
    case EINVAL:
      if (c.ring_setup != RingSetup::kNone) {
        return Status(StatusCode::kInvalidArgument,
                      "ring_setup = " + setup +
                          " is not supported by this kernel (io_uring_setup: EINVAL); "
                          "try ring_setup = none",
                      err);
      }
      return Status(StatusCode::kInvalidArgument,
                    "ring_entries = " + std::to_string(c.ring_entries) +
                        " was rejected by io_uring_setup (EINVAL)",
                    err);
    case ENOMEM:
      return Status(StatusCode::kResourceExhausted,
                    "io_uring_setup: ENOMEM for a ring of " + std::to_string(c.ring_entries) +
                        " entries; lower ring_entries or raise the locked-memory limit (ulimit -l)",
                    err);
    default:
      return Status::FromErrno(err, "io_uring_setup (ring_setup = " + setup + ")");
  }
}

}  // namespace

UringReactor::UringReactor(Executor& ex, const ExecutorConfig& config) : ex_(ex), config_(config) {}

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
  if (!(p.features & IORING_FEAT_EXT_ARG) || !(p.features & IORING_FEAT_NODROP)) {
    return Status(StatusCode::kUnavailable,
                  "this kernel's io_uring lacks IORING_FEAT_EXT_ARG/NODROP; "
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
    static_cast<void>(new std::vector<Slot>(std::move(slots_)));
  }
}

uint64_t UringReactor::UserData(uint32_t idx) const {
  return (static_cast<uint64_t>(slots_[idx].generation) << 32) | idx;
}

uint32_t UringReactor::AcquireSlot(const WaitOptions& w, Status* why) {
  while (free_slots_.empty() && !ex_.shutting_down()) {
    ++ex_.mutable_stats().slot_waits;
    WakeReason r = ex_.Wait(&slot_waiters_, w);
    if (r == WakeReason::kTimedOut) {
      *why = Status(StatusCode::kTimedOut, "io_uring: no in-flight slot became free before the deadline");
      return kNoSlot;
    }
    if (r == WakeReason::kCancelled) {
      *why = Status(StatusCode::kCancelled, "io_uring: cancelled while waiting for an in-flight slot");
      return kNoSlot;
    }
  }
  if (ex_.shutting_down()) {
    *why = Status(StatusCode::kCancelled, "io_uring: the executor is shutting down");
    return kNoSlot;
  }
  uint32_t idx = free_slots_.back();
  free_slots_.pop_back();
  slots_[idx].in_use = true;
  return idx;
}

void UringReactor::FreeSlot(uint32_t idx) {
  Slot& s = slots_[idx];
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

void UringReactor::OnSubmitted() {
  ++inflight_;
  ExecutorStats& st = ex_.mutable_stats();
  st.io_depth = inflight_;
  if (inflight_ > st.io_depth_max) st.io_depth_max = inflight_;
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
    Fatal("io_uring_submit", -ret);
  }
  ExecutorStats& st = ex_.mutable_stats();
  ++st.sq_flushes;
  st.sqes_submitted += static_cast<uint64_t>(ret);
  defer_started_ = false;
  have_pending_time_ = false;
  if (config_.reactor_mode == ReactorMode::kGated) last_submit_ = Now();
  if (!sqe_waiters_.empty()) ex_.WakeAll(sqe_waiters_);
  return ret > 0;
}

void UringReactor::TryCompleteInline() {
  // With no other fiber ready, the loop's next tick would do exactly this:
  // flush the SQ and reap. Doing it here saves two stack switches and a tick
  // for operations that complete during submission (page-cache reads, NOPs).
  // Bounded per tick so timers and cross-thread posts are never starved.
  if (config_.reactor_mode != ReactorMode::kPolled || ex_.ready_count() != 0) return;
  const uint64_t tick = ex_.stats().ticks;
  if (tick != inline_tick_) {
    inline_tick_ = tick;
    inline_in_tick_ = 0;
  }
  if (++inline_in_tick_ > kMaxInlinePerTick) return;
  Flush();
  if (MayReap()) ReapAll();
}

bool UringReactor::SubmitPending(bool fibers_runnable) {
  const unsigned pending = io_uring_sq_ready(&ring_);
  if (pending == 0) return false;
  if (config_.reactor_mode == ReactorMode::kPolled) {
    // Hold SQEs back for a batch only while other fibers can still add to it.
    if (fibers_runnable && config_.submit_timeout > Duration(0) && pending < config_.submit_batch) {
      const TimePoint now = Now();
      if (!defer_started_) {
        defer_started_ = true;
        defer_since_ = now;
        return false;
      }
      if (now - defer_since_ < config_.submit_timeout) return false;
    }
    return Flush();
  }
  // Gated (legacy): submit only when the batch is full or submit_timeout has
  // passed since the oldest unsubmitted SQE, whatever else is runnable.
  const TimePoint now = Now();
  if (!have_pending_time_) {
    have_pending_time_ = true;
    first_pending_ = now;
  }
  if (pending < config_.submit_batch && now - first_pending_ < config_.submit_timeout) return false;
  return Flush();
}

bool UringReactor::Reap() {
  if (config_.reactor_mode == ReactorMode::kGated) {
    // Legacy gate: look at the CQ only once complete_timeout has passed since the last submit.
    if (inflight_ == 0) return false;
    if (Now() - last_submit_ < config_.complete_timeout) return false;
  }
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
  Slot& s = slots_[idx];
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

bool UringReactor::ReapGateOpen() const {
  return inflight_ > 0 && Now() - last_submit_ >= config_.complete_timeout;
}

bool UringReactor::PollKernel() {
  if (!(setup_flags_ & IORING_SETUP_DEFER_TASKRUN) || inflight_ == 0) return false;
  // Gated: the kernel posts deferred completions only when asked, and the
  // legacy mode asks only once its reap gate is open.
  if (config_.reactor_mode == ReactorMode::kGated && !ReapGateOpen()) return false;
  io_uring_get_events(&ring_);
  return ReapAll();
}

TimePoint UringReactor::NextGate() const {
  if (config_.reactor_mode != ReactorMode::kGated) return kNoDeadline;
  TimePoint gate = kNoDeadline;
  if (io_uring_sq_ready(&ring_) > 0) {
    gate = have_pending_time_ ? first_pending_ + config_.submit_timeout : Now();
  }
  // A reap gate that is already open is no reason to stay awake: Park()
  // then watches the ring for the completion itself.
  if (inflight_ > 0 && !ReapGateOpen()) gate = std::min(gate, last_submit_ + config_.complete_timeout);
  return gate;
}

void UringReactor::Notify() {
  const uint64_t one = 1;
  ssize_t n = ::write(wake_fd_.get(), &one, sizeof(one));
  (void)n;  // EAGAIN means the counter is already non-zero: a wake is pending
}

bool UringReactor::SubmitInternal(io_uring_sqe** sqe_out, Callback cb, uint64_t arg,
                                  uint64_t* user_data) {
  if (free_slots_.empty()) return false;
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) return false;  // retried before the next park
  const uint32_t idx = free_slots_.back();
  free_slots_.pop_back();
  Slot& s = slots_[idx];
  s.in_use = s.submitted = s.internal = true;
  s.callback = cb;
  s.callback_ctx = this;
  s.callback_arg = arg;
  *user_data = UserData(idx);
  *sqe_out = sqe;
  ++internal_inflight_;
  return true;
}

void UringReactor::ArmWakeRead() {
  if (wake_armed_) return;
  io_uring_sqe* sqe;
  uint64_t user_data;
  if (!SubmitInternal(&sqe, &UringReactor::OnWakeRead, 0, &user_data)) return;
  io_uring_prep_read(sqe, wake_fd_.get(), &wake_buf_, sizeof(wake_buf_), 0);
  io_uring_sqe_set_data64(sqe, user_data);
  wake_armed_ = true;
}

void UringReactor::OnWakeRead(void* ctx, uint64_t, int32_t, uint32_t) {
  static_cast<UringReactor*>(ctx)->wake_armed_ = false;  // re-armed before the next park
}

void UringReactor::WatchFd(int fd) { watched_.push_back({fd, false, 0}); }

void UringReactor::UnwatchFd(int fd) {
  for (auto it = watched_.begin(); it != watched_.end(); ++it) {
    if (it->fd != fd) continue;
    if (it->armed) CancelUserData(it->user_data);
    watched_.erase(it);
    return;
  }
}

void UringReactor::ArmWatchedFds() {
  for (WatchedFd& w : watched_) {
    if (w.armed) continue;
    io_uring_sqe* sqe;
    if (!SubmitInternal(&sqe, &UringReactor::OnWatchedFd, static_cast<uint64_t>(w.fd),
                        &w.user_data)) {
      return;
    }
    io_uring_prep_poll_add(sqe, w.fd, POLLIN);
    io_uring_sqe_set_data64(sqe, w.user_data);
    w.armed = true;
  }
}

void UringReactor::OnWatchedFd(void* ctx, uint64_t fd, int32_t, uint32_t) {
  for (WatchedFd& w : static_cast<UringReactor*>(ctx)->watched_) {
    if (w.fd == static_cast<int>(fd)) w.armed = false;  // re-armed before the next park
  }
}

void UringReactor::Park(Duration timeout) {
  if (config_.reactor_mode == ReactorMode::kGated) {
    // The legacy mode must not look at the ring before its gate: sleep on the
    // wake eventfd and the watched fds alone.
    std::vector<pollfd> pfds;
    pfds.push_back({wake_fd_.get(), POLLIN, 0});
    for (const WatchedFd& w : watched_) pfds.push_back({w.fd, POLLIN, 0});
    // Once the reap gate is open the ring may be looked at: wake on a completion.
    if (ReapGateOpen()) pfds.push_back({ring_.ring_fd, POLLIN, 0});
    timespec ts{static_cast<time_t>(timeout.count() / 1000000000),
                static_cast<long>(timeout.count() % 1000000000)};
    if (ppoll(pfds.data(), pfds.size(), &ts, nullptr) > 0 && (pfds[0].revents & POLLIN)) {
      uint64_t v;
      ssize_t n = ::read(wake_fd_.get(), &v, sizeof(v));
      (void)n;
    }
    return;
  }
  ArmWatchedFds();
  ArmWakeRead();
  __kernel_timespec ts = ToTimespec(timeout);
  io_uring_cqe* cqe = nullptr;
  int ret = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
  if (ret > 0) {
    ExecutorStats& st = ex_.mutable_stats();
    ++st.sq_flushes;
    st.sqes_submitted += static_cast<uint64_t>(ret);
  } else if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
    Fatal("io_uring_submit_and_wait_timeout", -ret);
  }
}

// ---- Registered resources ----

Status UringReactor::RegisterBuffers(uint32_t count, size_t size) {
  if (buffers_) {
    return Status(StatusCode::kInvalidArgument, "registered buffers are already set up for this ring");
  }
  if (count == 0 || count > 16384 || size == 0 || size > (1u << 30)) {
    return Status(StatusCode::kInvalidArgument,
                  "registered buffers: count " + std::to_string(count) + " x size " +
                      std::to_string(size) + " out of range (count 1..16384, size 1 B..1 GiB)");
  }
  auto pool = std::make_unique<BufferPool>(ex_, count, size);
  std::vector<iovec> iov = pool->iovecs();
  int ret = io_uring_register_buffers(&ring_, iov.data(), static_cast<unsigned>(iov.size()));
  if (ret < 0) {
    Status s = Status::FromErrno(-ret, "io_uring_register_buffers(" + std::to_string(count) + " x " +
                                           std::to_string(pool->buffer_size()) + " bytes)");
    if (ret == -ENOMEM) {
      return Status(s.code(), s.message() + "; raise the locked-memory limit (ulimit -l)", -ret);
    }
    return s;
  }
  buffers_ = std::move(pool);
  return Status();
}

Result<FixedFile> UringReactor::RegisterFile(int fd) {
  if (free_fixed_.empty()) {
    return Status(StatusCode::kResourceExhausted,
                  "all " + std::to_string(config_.fixed_files) +
                      " fixed-file slots are in use (knob fixed_files)");
  }
  int idx = free_fixed_.back();
  int ret = io_uring_register_files_update(&ring_, static_cast<unsigned>(idx), &fd, 1);
  if (ret < 0) return Status::FromErrno(-ret, "io_uring_register_files_update");
  free_fixed_.pop_back();
  return FixedFile(this, idx);
}

void UringReactor::UnregisterFile(int index) {
  int minus_one = -1;
  io_uring_register_files_update(&ring_, static_cast<unsigned>(index), &minus_one, 1);
  free_fixed_.push_back(index);
}

FixedFile::FixedFile(FixedFile&& o) noexcept
    : reactor_(std::exchange(o.reactor_, nullptr)), index_(std::exchange(o.index_, -1)) {}

FixedFile& FixedFile::operator=(FixedFile&& o) noexcept {
  if (this != &o) {
    if (reactor_ != nullptr) reactor_->UnregisterFile(index_);
    reactor_ = std::exchange(o.reactor_, nullptr);
    index_ = std::exchange(o.index_, -1);
  }
  return *this;
}

FixedFile::~FixedFile() {
  if (reactor_ != nullptr) reactor_->UnregisterFile(index_);
}

// ---- Operations ----

#define BENCHFS_LEASE_OR_RETURN(lease, w)  \
  SlotLease lease(*this, w);               \
  if (!lease.ok()) return lease.status()

Status UringReactor::Nop(const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_nop(sqe);
  return lease.SubmitAndWait(sqe, w, "nop").status();
}

Result<size_t> UringReactor::Transfer(bool write, FileRef f, IoBuffer& buf, size_t len, uint64_t offset,
                                      const WaitOptions& w) {
  const char* op = write ? "write" : "read";
  if (len > buf.size()) {
    return Status(StatusCode::kInvalidArgument, std::string(op) + " of " + std::to_string(len) + " bytes " +
                                                    (write ? "from" : "into") + " a buffer of " +
                                                    std::to_string(buf.size()));
  }
  BENCHFS_LEASE_OR_RETURN(lease, w);
  Slot& s = lease.slot();
  s.buffer = std::move(buf);
  io_uring_sqe* sqe = AcquireSqe();
  const unsigned n = static_cast<unsigned>(len);
  const int reg = s.buffer.registered_index();
  if (reg >= 0) {
    write ? io_uring_prep_write_fixed(sqe, f.index, s.buffer.data(), n, offset, reg)
          : io_uring_prep_read_fixed(sqe, f.index, s.buffer.data(), n, offset, reg);
  } else {
    write ? io_uring_prep_write(sqe, f.index, s.buffer.data(), n, offset)
          : io_uring_prep_read(sqe, f.index, s.buffer.data(), n, offset);
  }
  ApplyFile(sqe, f);
  Result<int32_t> r = lease.SubmitAndWait(sqe, w, op);
  if (lease.ok()) buf = std::move(s.buffer);
  if (!r.ok()) return r.status();
  return static_cast<size_t>(*r);
}

Result<size_t> UringReactor::TransferV(bool write, FileRef f, std::vector<IoBuffer>& bufs, uint64_t offset,
                                       const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  Slot& s = lease.slot();
  s.buffers = std::move(bufs);
  for (IoBuffer& b : s.buffers) s.iov.push_back({b.data(), b.size()});
  io_uring_sqe* sqe = AcquireSqe();
  const unsigned n = static_cast<unsigned>(s.iov.size());
  write ? io_uring_prep_writev(sqe, f.index, s.iov.data(), n, offset)
        : io_uring_prep_readv(sqe, f.index, s.iov.data(), n, offset);
  ApplyFile(sqe, f);
  Result<int32_t> r = lease.SubmitAndWait(sqe, w, write ? "writev" : "readv");
  if (lease.ok()) bufs = std::move(s.buffers);
  if (!r.ok()) return r.status();
  return static_cast<size_t>(*r);
}

Result<size_t> UringReactor::Read(FileRef f, IoBuffer& buf, size_t len, uint64_t offset, const WaitOptions& w) {
  return Transfer(false, f, buf, len, offset, w);
}

Result<size_t> UringReactor::Write(FileRef f, IoBuffer& buf, size_t len, uint64_t offset, const WaitOptions& w) {
  return Transfer(true, f, buf, len, offset, w);
}

Result<size_t> UringReactor::Readv(FileRef f, std::vector<IoBuffer>& bufs, uint64_t offset, const WaitOptions& w) {
  return TransferV(false, f, bufs, offset, w);
}

Result<size_t> UringReactor::Writev(FileRef f, std::vector<IoBuffer>& bufs, uint64_t offset, const WaitOptions& w) {
  return TransferV(true, f, bufs, offset, w);
}

Status UringReactor::Fsync(FileRef f, const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_fsync(sqe, f.index, 0);
  ApplyFile(sqe, f);
  return lease.SubmitAndWait(sqe, w, "fsync").status();
}

Status UringReactor::Fdatasync(FileRef f, const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_fsync(sqe, f.index, IORING_FSYNC_DATASYNC);
  ApplyFile(sqe, f);
  return lease.SubmitAndWait(sqe, w, "fdatasync").status();
}

Result<size_t> UringReactor::WriteDurable(FileRef f, IoBuffer& buf, size_t len, uint64_t offset,
                                          const WaitOptions& w) {
  if (len > buf.size()) {
    return Status(StatusCode::kInvalidArgument, "write of " + std::to_string(len) +
                                                    " bytes from a buffer of " +
                                                    std::to_string(buf.size()));
  }
  BENCHFS_LEASE_OR_RETURN(write_lease, w);
  BENCHFS_LEASE_OR_RETURN(sync_lease, w);
  Slot& ws = write_lease.slot();
  Slot& ss = sync_lease.slot();
  ws.buffer = std::move(buf);
  io_uring_sqe* sqes[2];
  AcquireSqes(sqes, 2);  // both or none: a chain is never split across submissions
  if (ws.buffer.registered_index() >= 0) {
    io_uring_prep_write_fixed(sqes[0], f.index, ws.buffer.data(), static_cast<unsigned>(len),
                              offset, ws.buffer.registered_index());
  } else {
    io_uring_prep_write(sqes[0], f.index, ws.buffer.data(), static_cast<unsigned>(len), offset);
  }
  ApplyFile(sqes[0], f);
  sqes[0]->flags |= IOSQE_IO_LINK;
  io_uring_prep_fsync(sqes[1], f.index, IORING_FSYNC_DATASYNC);
  ApplyFile(sqes[1], f);
  write_lease.Submit(sqes[0]);
  sync_lease.Submit(sqes[1]);
  TryCompleteInline();
  while (!(write_lease.completed() && sync_lease.completed())) {
    WakeReason why = ex_.Wait(nullptr, w);
    if (write_lease.completed() && sync_lease.completed()) break;
    if (why == WakeReason::kNotified) continue;
    write_lease.Abandon();
    sync_lease.Abandon();
    if (write_lease.ok()) buf = std::move(ws.buffer);
    if (why == WakeReason::kTimedOut) {
      return Status(StatusCode::kTimedOut,
                    "io_uring write+fdatasync did not complete before its deadline");
    }
    return Status(StatusCode::kCancelled, "io_uring write+fdatasync was cancelled");
  }
  buf = std::move(ws.buffer);
  const int32_t wres = ws.result;
  const int32_t sres = ss.result;
  if (wres < 0) return Status::FromErrno(-wres, "io_uring write (linked to fdatasync)");
  if (static_cast<size_t>(wres) < len) {
    // A short write fails the link: the fdatasync was cancelled, not run.
    if (sres == -ECANCELED) {
      Status s = Fdatasync(f, w);
      if (!s.ok()) return s;
    } else if (sres < 0) {
      return Status::FromErrno(-sres, "io_uring fdatasync (after a short write)");
    }
    return static_cast<size_t>(wres);
  }
  if (sres < 0) return Status::FromErrno(-sres, "io_uring fdatasync (linked to write)");
  return static_cast<size_t>(wres);
}

Status UringReactor::UnlinkAt(int dirfd, const std::string& path, int flags, const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  Slot& s = lease.slot();
  s.path = path;
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_unlinkat(sqe, dirfd, s.path.c_str(), flags);
  Result<int32_t> r = lease.SubmitAndWait(sqe, w, "unlinkat");
  if (!r.ok()) return Status(r.status().code(), r.status().message() + " (" + path + ")",
                             r.status().sys_errno());
  return Status();
}

Result<int> UringReactor::OpenAt(int dirfd, const std::string& path, int flags, mode_t mode,
                                 const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  Slot& s = lease.slot();
  s.path = path;
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_openat(sqe, dirfd, s.path.c_str(), flags | O_CLOEXEC, mode);
  Result<int32_t> r = lease.SubmitAndWait(sqe, w, "openat");
  if (!r.ok()) return Status(r.status().code(), r.status().message() + " (" + path + ")",
                             r.status().sys_errno());
  return static_cast<int>(*r);
}

Status UringReactor::Close(int fd) {
  BENCHFS_LEASE_OR_RETURN(lease, WaitOptions{});
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_close(sqe, fd);
  return lease.SubmitAndWait(sqe, {}, "close").status();
}

Result<struct statx> UringReactor::Statx(int dirfd, const std::string& path, int flags,
                                         unsigned mask, const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  Slot& s = lease.slot();
  s.path = path;
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_statx(sqe, dirfd, s.path.c_str(), flags, mask, &s.stx);
  Result<int32_t> r = lease.SubmitAndWait(sqe, w, "statx");
  if (!r.ok()) return Status(r.status().code(), r.status().message() + " (" + path + ")",
                             r.status().sys_errno());
  return s.stx;
}

Status UringReactor::Fallocate(FileRef f, int mode, uint64_t offset, uint64_t len,
                               const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_fallocate(sqe, f.index, mode, static_cast<off_t>(offset), static_cast<off_t>(len));
  ApplyFile(sqe, f);
  return lease.SubmitAndWait(sqe, w, "fallocate").status();
}

Status UringReactor::Timeout(Duration d, const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  Slot& s = lease.slot();
  s.ts = ToTimespec(d);
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_timeout(sqe, &s.ts, 0, 0);
  Result<int32_t> r = lease.SubmitAndWait(sqe, w, "timeout");
  if (!r.ok() && r.status().sys_errno() == ETIME) return Status();
  return r.status();
}

Result<uint32_t> UringReactor::PollAdd(int fd, uint32_t mask, const WaitOptions& w) {
  BENCHFS_LEASE_OR_RETURN(lease, w);
  io_uring_sqe* sqe = AcquireSqe();
  io_uring_prep_poll_add(sqe, fd, mask);
  Result<int32_t> r = lease.SubmitAndWait(sqe, w, "poll_add");
  if (!r.ok()) return r.status();
  return static_cast<uint32_t>(*r);
}

#undef BENCHFS_LEASE_OR_RETURN

}  // namespace benchfs

// Internal to the io_uring reactor (uring_reactor.cc, uring_ops.cc,
// uring_park.cc): the slot that holds an in-flight operation's resources until
// its completion, the lease through which an operation owns one, and small
// helpers for SQEs and fatal ring errors.
#pragma once

#include <liburing.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/executor.h"
#include "runtime/uring_reactor.h"

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

// An io_uring call failed in a way the reactor cannot survive.
[[noreturn]] inline void FatalUringError(const char* what, int err) {
  std::fprintf(stderr, "benchfs: fatal io_uring error in %s: %s (%s)\n", what, std::strerror(err),
               ErrnoName(err).c_str());
  std::abort();
}

inline __kernel_timespec ToTimespec(Duration d) {
  if (d < Duration(0)) d = Duration(0);
  __kernel_timespec ts;
  ts.tv_sec = d.count() / 1000000000;
  ts.tv_nsec = d.count() % 1000000000;
  return ts;
}

inline void ApplyFile(io_uring_sqe* sqe, const FileRef& f) {
  if (f.fixed) sqe->flags |= IOSQE_FIXED_FILE;
}

}  // namespace benchfs

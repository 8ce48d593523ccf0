// SPDX-License-Identifier: BSD-3-Clause
// UringReactor's operations: each leases a slot (SlotLease, below) that owns
// what the kernel may touch, prepares its SQE, submits, and suspends the
// calling fiber until the completion, its deadline or its cancellation (see
// uring_reactor.h).
#include <cstring>
#include <string>

#include "runtime/executor.h"
#include "runtime/uring_reactor.h"
#include "runtime/uring_slot.h"

namespace benchfs {

// The slot naming, submission count and inline completion every operation
// goes through, defined here so the operations inline them.
uint64_t UringReactor::UserData(uint32_t idx) const {
  return (static_cast<uint64_t>(slots_[idx].generation) << 32) | idx;
}

void UringReactor::OnSubmitted() {
  ++inflight_;
  ExecutorStats& st = ex_.mutable_stats();
  st.io_depth = inflight_;
  if (inflight_ > st.io_depth_max) st.io_depth_max = inflight_;
}

void UringReactor::TryCompleteInline() {
  // With no other fiber ready, the loop's next tick would do exactly this:
  // flush the SQ and reap. Doing it here saves two stack switches and a tick
  // for operations that complete during submission (page-cache reads, NOPs).
  // Bounded per tick so timers and cross-thread posts are never starved.
  if (!completes_inline_ || ex_.ready_count() != 0) return;
  const uint64_t tick = ex_.stats().ticks;
  if (tick != inline_tick_) {
    inline_tick_ = tick;
    inline_in_tick_ = 0;
  }
  if (++inline_in_tick_ > kMaxInlinePerTick) return;
  Flush();
  if (MayReap()) ReapAll();
}

// Owns one slot for the duration of one operation. If the wait for the
// completion ends early the slot is orphaned: the lease lets go and the slot
// is freed when the kernel's completion arrives.
class UringReactor::SlotLease {
 public:
  SlotLease(UringReactor& r, const WaitOptions& w) : r_(r) {
    if (r.free_slots_.empty() || r.ex_.shutting_down()) {
      idx_ = r.AcquireSlot(w, &status_);  // waits for a slot, or says why not
      return;
    }
    idx_ = r.free_slots_.back();
    r.free_slots_.pop_back();
    r.slots_[idx_].in_use = true;
  }
  ~SlotLease() {
    if (idx_ == kNoSlot) return;
    UringSlot& s = r_.slots_[idx_];
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
  UringSlot& slot() { return r_.slots_[idx_]; }

  Result<int32_t> SubmitAndWait(io_uring_sqe* sqe, const WaitOptions& w, const char* op) {
    UringSlot& s = slot();
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
        return Status::TimedOut(msg + " did not complete before its deadline");
      }
      return Status::Cancelled(msg + " was cancelled");
    }
    if (s.result < 0) return Status::FromErrno(-s.result, std::string("io_uring ") + op);
    return s.result;
  }

  // For linked chains (see WriteDurable): marks the slot's SQE submitted to
  // the calling fiber without waiting; the caller waits for every link.
  void Submit(io_uring_sqe* sqe) {
    UringSlot& s = slot();
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
  uint32_t idx_ = kNoSlot;
};

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
    return Status::InvalidArgument(std::string(op) + " of " + std::to_string(len) + " bytes " +
                                                    (write ? "from" : "into") + " a buffer of " +
                                                    std::to_string(buf.size()));
  }
  BENCHFS_LEASE_OR_RETURN(lease, w);
  UringSlot& s = lease.slot();
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
  UringSlot& s = lease.slot();
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
    return Status::InvalidArgument("write of " + std::to_string(len) +
                                                    " bytes from a buffer of " +
                                                    std::to_string(buf.size()));
  }
  BENCHFS_LEASE_OR_RETURN(write_lease, w);
  BENCHFS_LEASE_OR_RETURN(sync_lease, w);
  UringSlot& ws = write_lease.slot();
  UringSlot& ss = sync_lease.slot();
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
      return Status::TimedOut("io_uring write+fdatasync did not complete before its deadline");
    }
    return Status::Cancelled("io_uring write+fdatasync was cancelled");
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
  UringSlot& s = lease.slot();
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
  UringSlot& s = lease.slot();
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
  UringSlot& s = lease.slot();
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
  UringSlot& s = lease.slot();
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

// SPDX-License-Identifier: BSD-3-Clause
// UringReactor: the executor's io_uring ring and the operations fibers run on it.
// It is the executor's ReactorBackend; when to submit, when to reap and how to
// sleep is its ReactorPolicy's (polled or gated) decision. The operations are
// defined in uring_ops.cc, registered files and buffers in
// uring_registration.cc, sleeping and waking in uring_park.cc, the ring, slots,
// submission and reaping in uring_reactor.cc.
//
// Every operation suspends the calling fiber until its completion arrives, its
// deadline passes, or it is cancelled. Each in-flight operation owns a slot
// (index + generation packed into user_data) that holds everything the kernel
// may still touch - buffers, iovecs, paths, statx and timespec structs - until
// the completion is reaped. A caller whose wait ends early (TIMED_OUT or
// CANCELLED) gets its status at once; the reactor issues an async-cancel and
// frees the slot's resources only when the kernel's completion arrives. Buffers
// passed by reference are therefore moved into the slot for the operation and
// moved back when it completes; after a timeout they stay with the slot and
// the caller's IoBuffer is left empty.
//
// A linked pair (WriteDurable: write -> fdatasync with IOSQE_IO_LINK) takes
// one slot per SQE, each owning what its own SQE uses (the write's slot owns
// the buffer) and each freed by its own completion, so the rules above hold
// for each half. Both SQEs are reserved before either is prepared, so a
// chain is never split across two submissions.
//
// The number of operations in flight is bounded by the CQ size; a submitter
// beyond it, or one that finds the SQ full, is suspended until there is room.
// Nothing is dropped or aborted.
#pragma once

#include <linux/stat.h>
#include <liburing.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/buffer_pool.h"
#include "runtime/executor_config.h"
#include "runtime/file_ref.h"
#include "runtime/io_buffer.h"
#include "runtime/reactor_backend.h"
#include "runtime/reactor_policy.h"
#include "runtime/status.h"
#include "runtime/unique_fd.h"
#include "runtime/wait_options.h"
#include "runtime/wait_queue.h"

namespace benchfs {

class Executor;
struct Fiber;
struct UringSlot;  // uring_slot.h

class UringReactor final : public ReactorBackend {
 public:
  // Internal completion handler for operations the runtime itself owns.
  using Callback = void (*)(void* ctx, uint64_t arg, int32_t res, uint32_t cqe_flags);

  static Result<std::unique_ptr<UringReactor>> Create(Executor& ex, const ExecutorConfig& config);
  ~UringReactor();
  UringReactor(const UringReactor&) = delete;
  UringReactor& operator=(const UringReactor&) = delete;

  // ---- Operations (from a fiber of the owning executor) ----
  // The int32_t results below are what the kernel returned when >= 0;
  // a negative kernel result becomes a Status naming the operation and errno.
  Status Nop(const WaitOptions& w = {});
  // Reads up to `len` bytes (len <= buf.size()) at `offset` into `buf`.
  Result<size_t> Read(FileRef f, IoBuffer& buf, size_t len, uint64_t offset,
                      const WaitOptions& w = {});
  // Writes the first `len` bytes of `buf` at `offset`.
  Result<size_t> Write(FileRef f, IoBuffer& buf, size_t len, uint64_t offset,
                       const WaitOptions& w = {});
  // Vectored forms: every buffer is used in full, in order.
  Result<size_t> Readv(FileRef f, std::vector<IoBuffer>& bufs, uint64_t offset,
                       const WaitOptions& w = {});
  Result<size_t> Writev(FileRef f, std::vector<IoBuffer>& bufs, uint64_t offset,
                        const WaitOptions& w = {});
  Status Fsync(FileRef f, const WaitOptions& w = {});
  Status Fdatasync(FileRef f, const WaitOptions& w = {});
  // Writes the first `len` bytes of `buf` at `offset` and makes them durable
  // before returning: a write SQE linked (IOSQE_IO_LINK) to an fdatasync SQE,
  // submitted together. OK(n) means n bytes were written and an fdatasync
  // that ran after them succeeded. A short write breaks the link (the kernel
  // completes the fdatasync with ECANCELED); the written bytes are then
  // fdatasynced on their own and n < len is returned, so the caller can write
  // the rest. A failed write returns the write's error; a failed fdatasync
  // after a full write returns the fdatasync's error.
  Result<size_t> WriteDurable(FileRef f, IoBuffer& buf, size_t len, uint64_t offset,
                              const WaitOptions& w = {});
  // unlinkat(2): removes `path` (AT_REMOVEDIR in `flags` for a directory).
  Status UnlinkAt(int dirfd, const std::string& path, int flags, const WaitOptions& w = {});
  // Returns the new fd.
  Result<int> OpenAt(int dirfd, const std::string& path, int flags, mode_t mode,
                     const WaitOptions& w = {});
  Status Close(int fd);
  Result<struct statx> Statx(int dirfd, const std::string& path, int flags, unsigned mask,
                             const WaitOptions& w = {});
  Status Fallocate(FileRef f, int mode, uint64_t offset, uint64_t len, const WaitOptions& w = {});
  // A kernel timer (IORING_OP_TIMEOUT): OK once `d` has passed.
  Status Timeout(Duration d, const WaitOptions& w = {});
  // Waits for poll events `mask` on `fd`; returns the events that fired.
  Result<uint32_t> PollAdd(int fd, uint32_t mask, const WaitOptions& w = {});

  // ---- Registered resources ----
  // Registers `count` buffers of `size` bytes with the ring (once per reactor).
  Status RegisterBuffers(uint32_t count, size_t size);
  BufferPool* buffers() { return buffers_.get(); }
  // Puts `fd` in the fixed-file table (config.fixed_files entries).
  Result<FixedFile> RegisterFile(int fd);

  // ---- ReactorBackend: the executor's loop (see reactor_backend.h) ----
  bool Poll(bool fibers_runnable) override {
    bool progress = io_uring_sq_ready(&ring_) != 0 && SubmitPending(fibers_runnable);
    if (MayReap()) progress |= Reap();
    return progress;
  }
  bool PollWhenIdle() override;
  bool CanSleep() const override { return policy_->MaySleepWith(io_uring_cq_ready(&ring_)); }
  TimePoint NextWake() const override {
    return policy_->NextDeadline(io_uring_sq_ready(&ring_), inflight_);
  }
  void WaitForEvents(Duration timeout) override;
  void Notify() override;
  void WatchFd(int fd) override;
  void UnwatchFd(int fd) override;

  // ---- Introspection ----
  // CQEs waiting to be reaped.
  unsigned Reapable() const { return io_uring_cq_ready(&ring_); }
  uint32_t inflight() const { return inflight_; }
  // IORING_SETUP_* flags the ring was created with.
  uint32_t setup_flags() const { return setup_flags_; }
  uint32_t sq_entries() const { return ring_.sq.ring_entries; }
  uint32_t cq_entries() const { return ring_.cq.ring_entries; }

 private:
  friend class FixedFile;
  class SlotLease;  // uring_ops.cc

  UringReactor(Executor& ex, const ExecutorConfig& config);
  Status Init();
  // A free slot, waiting (within `w`) for one; kNoSlot with *why set otherwise.
  uint32_t AcquireSlot(const WaitOptions& w, Status* why);
  io_uring_sqe* AcquireSqe();  // may suspend until the SQ has room
  // `n` SQEs at once (for linked chains); may suspend until the SQ has room.
  void AcquireSqes(io_uring_sqe** out, unsigned n);
  void FreeSlot(uint32_t idx);
  uint64_t UserData(uint32_t idx) const;
  void OnSubmitted();
  void TryCompleteInline();
  // Submits pending SQEs if the policy says so; true if any were submitted.
  bool SubmitPending(bool fibers_runnable);
  // Whether Reap() could find anything: the policy allows a look and CQEs are
  // posted or kernel task work is pending (TASKRUN_FLAG).
  bool MayReap() const {
    return (io_uring_cq_ready(&ring_) != 0 ||
            ((setup_flags_ & IORING_SETUP_TASKRUN_FLAG) &&
             (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_TASKRUN))) &&
           policy_->MayReap(inflight_);
  }
  bool Reap();
  // The two ways to sleep (ParkOn): in the ring, or on the fds alone.
  void SleepInRing(Duration timeout);
  void SleepOnFds(Duration timeout, bool with_ring);
  void CancelUserData(uint64_t user_data);
  void Complete(uint64_t user_data, int32_t res, uint32_t flags);
  bool ReapAll();
  bool Flush();
  void ArmWakeRead();
  static void OnWakeRead(void* ctx, uint64_t arg, int32_t res, uint32_t flags);
  void ArmWatchedFds();
  static void OnWatchedFd(void* ctx, uint64_t fd, int32_t res, uint32_t flags);
  // Starts a runtime-owned operation; false if no slot or SQE is free now.
  bool SubmitInternal(io_uring_sqe** sqe, Callback cb, uint64_t arg, uint64_t* user_data);
  void UnregisterFile(int index);
  void CancelAllAndDrain();
  Result<size_t> Transfer(bool write, FileRef f, IoBuffer& buf, size_t len, uint64_t offset,
                          const WaitOptions& w);
  Result<size_t> TransferV(bool write, FileRef f, std::vector<IoBuffer>& bufs, uint64_t offset,
                           const WaitOptions& w);

  static constexpr uint32_t kNoSlot = UINT32_MAX;
  static constexpr uint64_t kIgnoreUserData = UINT64_MAX;

  Executor& ex_;
  ExecutorConfig config_;
  io_uring ring_{};
  bool ring_ready_ = false;
  uint32_t setup_flags_ = 0;

  std::vector<UringSlot> slots_;
  std::vector<uint32_t> free_slots_;
  uint32_t inflight_ = 0;           // user operations in flight
  uint32_t internal_inflight_ = 0;  // runtime-owned operations in flight
  WaitQueue slot_waiters_;
  WaitQueue sqe_waiters_;

  std::unique_ptr<ReactorPolicy> policy_;
  bool completes_inline_;  // policy_->CompletesInline(), read once

  // Inline completion budget (see TryCompleteInline).
  static constexpr uint32_t kMaxInlinePerTick = 64;
  uint64_t inline_tick_ = 0;
  uint32_t inline_in_tick_ = 0;

  // Cross-thread wake-up.
  UniqueFd wake_fd_;
  uint64_t wake_buf_ = 0;
  bool wake_armed_ = false;

  struct WatchedFd {
    int fd;
    bool armed;
    uint64_t user_data;  // of the armed poll, for cancelling it
  };
  std::vector<WatchedFd> watched_;

  std::unique_ptr<BufferPool> buffers_;
  std::vector<int> free_fixed_;
};

}  // namespace benchfs

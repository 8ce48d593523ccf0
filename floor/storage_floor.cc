// SPDX-License-Identifier: BSD-3-Clause
// Raw io_uring QD1 loops over a scratch file.
#include "floor/storage_floor.h"

#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/clock.h"

namespace benchfs {
namespace {

// A QD1 ring with the bounded ring's flags, and scratch files unlinked at once.
class FloorRing {
 public:
  ~FloorRing() {
    if (ready_) io_uring_queue_exit(&ring_);
    for (int fd : fds_) ::close(fd);
  }
  Status Open(const StorageFloorSpec& s, uint32_t files) {
    for (uint32_t i = 0; i < files; ++i) {
      std::string path = s.dir + "/.benchfs-floor-XXXXXX";
      const int fd = mkstemp(path.data());
      if (fd < 0) return Status::FromErrno(errno, "storage floor: creating a file in " + s.dir);
      ::unlink(path.c_str());
      fds_.push_back(fd);
    }
    io_uring_params p{};
    p.flags = s.ring_flags & ~IORING_SETUP_SQPOLL;  // a QD1 busy loop: the submitting thread polls
    int ret = io_uring_queue_init_params(8, &ring_, &p);
    if (ret < 0) return Status::FromErrno(-ret, "storage floor: io_uring_queue_init");
    ready_ = true;
    (void)io_uring_register_ring_fd(&ring_);  // as the executor's ring does
    defer_ = (p.flags & (IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN)) != 0;
    if (s.io_workers > 0) {
      unsigned workers[2] = {s.io_workers, s.io_workers};
      io_uring_register_iowq_max_workers(&ring_, workers);
    }
    return Status();
  }
  int fd(uint64_t i) const { return fds_[i % fds_.size()]; }
  // One write (linked to an fdatasync when `sync`) or read; the first
  // failing result, or the bytes moved.
  int Run(int fd, bool write, void* buf, size_t size, uint64_t off, bool sync) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (write) {
      io_uring_prep_write(sqe, fd, buf, static_cast<unsigned>(size), off);
    } else {
      io_uring_prep_read(sqe, fd, buf, static_cast<unsigned>(size), off);
    }
    const int ops = write && sync ? 2 : 1;
    if (ops == 2) {
      sqe->flags |= IOSQE_IO_LINK;
      io_uring_prep_fsync(io_uring_get_sqe(&ring_), fd, IORING_FSYNC_DATASYNC);
    }
    io_uring_submit(&ring_);
    int result = 0;
    for (int seen = 0; seen < ops;) {
      io_uring_cqe* cqe;
      if (io_uring_peek_cqe(&ring_, &cqe) != 0) {
        if (defer_) io_uring_get_events(&ring_);  // task work runs only on entry
        continue;
      }
      if (seen == 0 || cqe->res < 0) result = seen == 0 ? cqe->res : std::min(result, cqe->res);
      io_uring_cqe_seen(&ring_, cqe);
      ++seen;
    }
    return result;
  }

 private:
  io_uring ring_{};
  bool ready_ = false;
  bool defer_ = false;
  std::vector<int> fds_;
};

Status IoError(int res, size_t size, const std::string& dir) {
  return res < 0 ? Status::FromErrno(-res, "storage floor I/O in " + dir)
                 : Status::IoError("storage floor: short I/O in " + dir + " (" + std::to_string(res) +
                                                    " of " + std::to_string(size) + " bytes)");
}

}  // namespace

Result<StorageFloor> MeasureStorageFloor(const StorageFloorSpec& s) {
  FloorRing ring;
  const uint32_t files = std::max<uint32_t>(1, s.files);
  Status st = ring.Open(s, files);
  if (!st.ok()) return st;
  std::vector<unsigned char> buf(s.size, 0xab);
  // Written once, unmeasured: the measured writes overwrite, as the benchmark's do.
  for (uint32_t i = 0; i < files; ++i) {
    const int res = ring.Run(ring.fd(i), true, buf.data(), s.size, 0, false);
    if (res != static_cast<int>(s.size)) return IoError(res, s.size, s.dir);
  }
  StorageFloor floor;
  for (const bool write : {true, false}) {
    for (uint64_t i = 0; i < s.count; ++i) {
      if (s.between) s.between();
      const TimePoint t0 = Now();
      const int res = ring.Run(ring.fd(i), write, buf.data(), s.size, 0, write && s.sync);
      const uint64_t ns = static_cast<uint64_t>((Now() - t0).count());
      if (res != static_cast<int>(s.size)) return IoError(res, s.size, s.dir);
      (write ? floor.write_ns : floor.read_ns).Record(ns);
    }
  }
  return floor;
}

Result<Histogram> MeasureAppendFloor(const StorageFloorSpec& s) {
  FloorRing ring;
  Status st = ring.Open(s, 1);
  if (!st.ok()) return st;
  std::vector<unsigned char> buf(s.size, 0x5a);
  Histogram h;
  for (uint64_t i = 0; i < s.count; ++i) {
    if (s.between) s.between();
    const TimePoint t0 = Now();
    const int res = ring.Run(ring.fd(0), true, buf.data(), s.size, i * s.size, s.sync);
    const uint64_t ns = static_cast<uint64_t>((Now() - t0).count());
    if (res != static_cast<int>(s.size)) return IoError(res, s.size, s.dir);
    h.Record(ns);
  }
  return h;
}

}  // namespace benchfs

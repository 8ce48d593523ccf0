// Raw io_uring QD1 loop over a temporary file.
#include "measure/storage_baseline.h"

#include <liburing.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/clock.h"

namespace benchfs {
namespace {

// One operation: submit, busy-peek its completion.
int RunOne(io_uring* ring, bool write, int fd, void* buf, size_t size, uint64_t off) {
  io_uring_sqe* sqe = io_uring_get_sqe(ring);
  if (write) {
    io_uring_prep_write(sqe, fd, buf, static_cast<unsigned>(size), off);
  } else {
    io_uring_prep_read(sqe, fd, buf, static_cast<unsigned>(size), off);
  }
  io_uring_submit(ring);
  io_uring_cqe* cqe;
  while (io_uring_peek_cqe(ring, &cqe) != 0) {
  }
  int res = cqe->res;
  io_uring_cqe_seen(ring, cqe);
  return res;
}

}  // namespace

Result<StorageFloor> MeasureStorageFloor(const std::string& dir, size_t size, uint64_t count) {
  std::string path = dir + "/.benchfs-floor-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return Status::FromErrno(errno, "storage floor: creating a file in " + dir);
  ::unlink(path.c_str());
  io_uring ring;
  int ret = io_uring_queue_init(8, &ring, 0);
  if (ret < 0) {
    ::close(fd);
    return Status::FromErrno(-ret, "storage floor: io_uring_queue_init");
  }
  std::vector<unsigned char> buf(size, 0xab);
  StorageFloor floor;
  Status error;
  for (int pass = 0; pass < 2 && error.ok(); ++pass) {
    const bool write = pass == 0;
    for (uint64_t i = 0; i < count; ++i) {
      const TimePoint t0 = Now();
      int res = RunOne(&ring, write, fd, buf.data(), size, i * size);
      const uint64_t ns = static_cast<uint64_t>((Now() - t0).count());
      if (res != static_cast<int>(size)) {
        error = res < 0 ? Status::FromErrno(-res, "storage floor I/O in " + dir)
                        : Status(StatusCode::kIoError, "storage floor: short I/O in " + dir);
        break;
      }
      (write ? floor.write_ns : floor.read_ns).Record(ns);
    }
  }
  io_uring_queue_exit(&ring);
  ::close(fd);
  if (!error.ok()) return error;
  return floor;
}

}  // namespace benchfs

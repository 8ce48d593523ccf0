// SPDX-License-Identifier: BSD-3-Clause
// Internal to the io_uring reactor (uring_reactor.cc, uring_ops.cc,
// uring_park.cc): the slot that holds an in-flight operation's resources until
// its completion, and small helpers for SQEs and fatal ring errors.
#pragma once

#include <linux/stat.h>
#include <liburing.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "runtime/file_ref.h"
#include "runtime/io_buffer.h"
#include "runtime/status.h"

namespace benchfs {

struct Fiber;

// Completion handler of a runtime-owned operation (the same type as
// UringReactor::Callback).
using UringCallback = void (*)(void* ctx, uint64_t arg, int32_t res, uint32_t cqe_flags);

struct UringSlot {
  uint32_t generation = 0;
  bool in_use = false;
  bool submitted = false;
  bool completed = false;
  bool internal = false;  // runtime-owned operation with a callback
  Fiber* waiter = nullptr;
  int32_t result = 0;
  uint32_t cqe_flags = 0;
  UringCallback callback = nullptr;
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

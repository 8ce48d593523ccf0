// SPDX-License-Identifier: BSD-3-Clause
// UringReactor's registered resources: the buffer pool registered with the
// ring and the fixed-file table, with FixedFile's ownership of one entry.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/buffer_pool.h"
#include "runtime/uring_reactor.h"

namespace benchfs {

Status UringReactor::RegisterBuffers(uint32_t count, size_t size) {
  if (buffers_) {
    return Status::InvalidArgument("registered buffers are already set up for this ring");
  }
  if (count == 0 || count > 16384 || size == 0 || size > (1u << 30)) {
    return Status::InvalidArgument("registered buffers: count " + std::to_string(count) + " x size " +
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
    return Status::ResourceExhausted("all " + std::to_string(config_.fixed_files) +
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

}  // namespace benchfs

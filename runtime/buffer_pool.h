// SPDX-License-Identifier: BSD-3-Clause
// BufferPool: a fixed set of equal, page-aligned buffers registered with the
// ring (io_uring_register_buffers), so reads and writes into them use
// READ_FIXED/WRITE_FIXED and skip per-I/O page pinning. Memory is bounded by
// the pool's size: a fiber that wants a buffer when all are leased waits.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/io_buffer.h"
#include "runtime/status.h"
#include "runtime/wait_options.h"
#include "runtime/wait_queue.h"

namespace benchfs {

class Executor;

class BufferPool final : public BufferOwner {
 public:
  // Maps count * size bytes (size rounded up to whole pages).
  BufferPool(Executor& ex, uint32_t count, size_t size);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // The iovecs to register, one per buffer.
  std::vector<iovec> iovecs() const;

  // A free buffer, or an empty IoBuffer when all are leased.
  IoBuffer TryAcquire();
  // From a fiber: a free buffer, waiting for one if needed.
  Result<IoBuffer> Acquire(const WaitOptions& w = {});

  uint32_t count() const { return count_; }
  size_t buffer_size() const { return size_; }
  uint32_t available() const { return static_cast<uint32_t>(free_.size()); }

 private:
  void Return(int index) override;

  Executor& ex_;
  uint32_t count_;
  size_t size_;
  std::byte* base_ = nullptr;
  size_t mapped_ = 0;
  std::vector<int> free_;
  WaitQueue waiters_;
};

}  // namespace benchfs

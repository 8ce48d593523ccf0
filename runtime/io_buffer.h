// SPDX-License-Identifier: BSD-3-Clause
// IoBuffer: an owned, page-aligned byte buffer that I/O reads into and writes
// from. It is move-only; an operation in flight takes it over, so a buffer can
// never be freed while the kernel may still touch it. A buffer that comes from
// a BufferPool (see buffer_pool.h) is registered with the ring and goes back to
// its pool when destroyed.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

namespace benchfs {

class BufferPool;

// Where a leased buffer goes back when it is destroyed (BufferPool is one).
class BufferOwner {
 public:
  virtual void Return(int index) = 0;

 protected:
  ~BufferOwner() = default;
};

class IoBuffer {
 public:
  IoBuffer() = default;
  // A heap buffer of `size` bytes aligned to `alignment` (a power of two;
  // 4096 suits O_DIRECT). Contents are zeroed.
  static IoBuffer Allocate(size_t size, size_t alignment = 4096);
  // The same without zeroing, for buffers that are about to be filled.
  static IoBuffer AllocateUninitialized(size_t size, size_t alignment = 4096);
  // A lease on `size` bytes at `data` that `owner` lends: destroying it calls
  // owner->Return(index) instead of freeing anything.
  static IoBuffer Lease(std::byte* data, size_t size, BufferOwner* owner, int index = -1) {
    return IoBuffer(data, size, owner, index);
  }

  IoBuffer(IoBuffer&& o) noexcept { *this = std::move(o); }
  IoBuffer& operator=(IoBuffer&& o) noexcept;
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;
  ~IoBuffer() { Reset(); }

  std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return data_ == nullptr; }
  std::span<std::byte> span() const { return {data_, size_}; }
  // Index in the ring's registered buffer table, or -1.
  int registered_index() const { return index_; }

  void Reset();

 private:
  friend class BufferPool;
  IoBuffer(std::byte* data, size_t size, BufferOwner* pool, int index)
      : data_(data), size_(size), pool_(pool), index_(index) {}

  std::byte* data_ = nullptr;
  size_t size_ = 0;
  BufferOwner* pool_ = nullptr;
  int index_ = -1;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// IoBuffer: aligned heap allocation, or a lease on a BufferPool slot.
#include "runtime/io_buffer.h"

#include <cstdlib>
#include <cstring>
#include <new>


namespace benchfs {

IoBuffer IoBuffer::AllocateUninitialized(size_t size, size_t alignment) {
  if (size == 0) return IoBuffer();
  size_t rounded = (size + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return IoBuffer(static_cast<std::byte*>(p), size, nullptr, -1);
}

IoBuffer IoBuffer::Allocate(size_t size, size_t alignment) {
  IoBuffer b = AllocateUninitialized(size, alignment);
  if (!b.empty()) std::memset(b.data(), 0, b.size());
  return b;
}

IoBuffer& IoBuffer::operator=(IoBuffer&& o) noexcept {
  if (this != &o) {
    Reset();
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    pool_ = std::exchange(o.pool_, nullptr);
    index_ = std::exchange(o.index_, -1);
  }
  return *this;
}

void IoBuffer::Reset() {
  if (data_ == nullptr) return;
  if (pool_ != nullptr) {
    pool_->Return(index_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
  pool_ = nullptr;
  index_ = -1;
}

}  // namespace benchfs

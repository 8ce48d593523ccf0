// SPDX-License-Identifier: BSD-3-Clause
// BufferPool: one anonymous mapping cut into equal buffers, a free list and
// a wait queue.
#include "runtime/buffer_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cassert>
#include <new>

#include "runtime/executor.h"

namespace benchfs {

BufferPool::BufferPool(Executor& ex, uint32_t count, size_t size) : ex_(ex), count_(count) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_ = (size + page - 1) / page * page;
  mapped_ = size_ * count_;
  if (mapped_ > 0) {
    void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    base_ = static_cast<std::byte*>(p);
  }
  free_.reserve(count_);
  for (uint32_t i = count_; i > 0; --i) free_.push_back(static_cast<int>(i - 1));
}

BufferPool::~BufferPool() {
  assert(free_.size() == count_ && "BufferPool destroyed while buffers are leased");
  if (base_ != nullptr) munmap(base_, mapped_);
}

std::vector<iovec> BufferPool::iovecs() const {
  std::vector<iovec> v(count_);
  for (uint32_t i = 0; i < count_; ++i) v[i] = {base_ + i * size_, size_};
  return v;
}

IoBuffer BufferPool::TryAcquire() {
  if (free_.empty()) return IoBuffer();
  int idx = free_.back();
  free_.pop_back();
  return IoBuffer(base_ + static_cast<size_t>(idx) * size_, size_, this, idx);
}

Result<IoBuffer> BufferPool::Acquire(const WaitOptions& w) {
  while (free_.empty()) {
    WakeReason r = ex_.Wait(&waiters_, w);
    if (r == WakeReason::kTimedOut)
      return Status::TimedOut("no registered buffer became free before the deadline");
    if (r == WakeReason::kCancelled)
      return Status::Cancelled("waiting for a registered buffer was cancelled");
  }
  return TryAcquire();
}

void BufferPool::Return(int index) {
  free_.push_back(index);
  ex_.WakeOne(waiters_);
}

}  // namespace benchfs

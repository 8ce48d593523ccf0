// SPDX-License-Identifier: BSD-3-Clause
// StackPool implementation: mmap + a PROT_NONE guard page, a LIFO cache.
#include "runtime/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/sanitizer.h"

namespace benchfs {

StackPool::StackPool(size_t usable_size, size_t max_cached)
    : page_size_(static_cast<size_t>(sysconf(_SC_PAGESIZE))), max_cached_(max_cached) {
  usable_size_ = (usable_size + page_size_ - 1) / page_size_ * page_size_;
}

StackPool::~StackPool() {
  for (void* base : cache_) Unmap(base);
}

void StackPool::Unmap(void* base) {
  // Frames that were switched away from never cleared their redzones; clear
  // them so the address range carries no stale poison into its next mapping.
  AsanUnpoison(static_cast<char*>(base) + page_size_, usable_size_);
  munmap(base, usable_size_ + page_size_);
}

boost::context::stack_context StackPool::Allocate() {
  void* base;
  if (!cache_.empty()) {
    base = cache_.back();
    cache_.pop_back();
  } else {
    const size_t total = usable_size_ + page_size_;
    base = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED || mprotect(base, page_size_, PROT_NONE) != 0) {
      std::fprintf(stderr, "benchfs: cannot map a %zu-byte fiber stack: %s\n", total,
                   std::strerror(errno));
      std::abort();
    }
    ++mapped_;
  }
  boost::context::stack_context sctx;
  sctx.size = usable_size_;
  sctx.sp = static_cast<char*>(base) + page_size_ + usable_size_;  // stacks grow down
  return sctx;
}

void StackPool::Release(boost::context::stack_context& sctx) {
  void* base = static_cast<char*>(sctx.sp) - usable_size_ - page_size_;
  if (cache_.size() < max_cached_) {
    cache_.push_back(base);
  } else {
    Unmap(base);
    --mapped_;
  }
}

}  // namespace benchfs

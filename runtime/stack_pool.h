// SPDX-License-Identifier: BSD-3-Clause
// StackPool: fiber stacks mapped with a guard page below them and reused.
//
// A stack overflow hits the PROT_NONE guard page and faults at once instead of
// corrupting a neighbour. Released stacks are kept (up to a cap) so spawning a
// fiber costs a pointer pop, not an mmap/mprotect pair.
#pragma once

#include <cstddef>
#include <vector>

#include <boost/context/stack_context.hpp>

namespace benchfs {

class StackPool {
 public:
  // `usable_size` is rounded up to whole pages; `max_cached` bounds the cache.
  StackPool(size_t usable_size, size_t max_cached);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // Aborts with a message if the kernel refuses the mapping (out of memory).
  boost::context::stack_context Allocate();
  void Release(boost::context::stack_context& sctx);

  size_t usable_size() const { return usable_size_; }
  size_t mapped() const { return mapped_; }  // stacks currently mapped
  size_t cached() const { return cache_.size(); }

 private:
  void Unmap(void* base);

  size_t usable_size_;
  size_t page_size_;
  size_t max_cached_;
  size_t mapped_ = 0;
  std::vector<void*> cache_;  // base addresses (guard page first)
};


}  // namespace benchfs

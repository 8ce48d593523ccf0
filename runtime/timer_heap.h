// SPDX-License-Identifier: BSD-3-Clause
// TimerHeap: a binary min-heap of waiting fibers ordered by deadline. Each
// fiber remembers its position, so a wait that ends early (a completion, a
// notification) leaves the heap in O(log n) instead of lingering there.
#pragma once

#include <vector>

#include "runtime/clock.h"

namespace benchfs {

struct Fiber;

class TimerHeap {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  TimePoint earliest() const;  // kNoDeadline when empty
  Fiber* top() const { return heap_.front(); }

  void Push(Fiber* f);  // uses f->deadline
  void Remove(Fiber* f);
  Fiber* Pop();

 private:
  void SiftUp(size_t i);
  void SiftDown(size_t i);
  void Place(size_t i, Fiber* f);

  std::vector<Fiber*> heap_;
};

}  // namespace benchfs

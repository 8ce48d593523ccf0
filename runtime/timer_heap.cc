// SPDX-License-Identifier: BSD-3-Clause
// TimerHeap: textbook heap that keeps Fiber::timer_pos up to date.
#include "runtime/timer_heap.h"

#include <cassert>

#include "runtime/fiber.h"

namespace benchfs {

TimePoint TimerHeap::earliest() const {
  return heap_.empty() ? kNoDeadline : heap_.front()->deadline;
}

void TimerHeap::Place(size_t i, Fiber* f) {
  heap_[i] = f;
  f->timer_pos = i;
}

void TimerHeap::Push(Fiber* f) {
  assert(f->timer_pos == Fiber::kNoTimer);
  heap_.push_back(f);
  f->timer_pos = heap_.size() - 1;
  SiftUp(heap_.size() - 1);
}

void TimerHeap::Remove(Fiber* f) {
  size_t i = f->timer_pos;
  assert(i < heap_.size() && heap_[i] == f);
  Fiber* last = heap_.back();
  heap_.pop_back();
  f->timer_pos = Fiber::kNoTimer;
  if (i == heap_.size()) return;
  Place(i, last);
  SiftUp(i);
  SiftDown(last->timer_pos);
}

Fiber* TimerHeap::Pop() {
  Fiber* f = heap_.front();
  Remove(f);
  return f;
}

void TimerHeap::SiftUp(size_t i) {
  Fiber* f = heap_[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (heap_[parent]->deadline <= f->deadline) break;
    Place(i, heap_[parent]);
    i = parent;
  }
  Place(i, f);
}

void TimerHeap::SiftDown(size_t i) {
  Fiber* f = heap_[i];
  const size_t n = heap_.size();
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->deadline < heap_[child]->deadline) ++child;
    if (f->deadline <= heap_[child]->deadline) break;
    Place(i, heap_[child]);
    i = child;
  }
  Place(i, f);
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// WaitQueue: doubly linked through each fiber's Hook.
#include "runtime/wait_queue.h"

#include <cassert>

namespace benchfs {

void WaitQueue::PushBack(Hook& h) {
  assert(h.queue == nullptr);
  h.prev = tail_;
  h.next = nullptr;
  h.queue = this;
  if (tail_ != nullptr) {
    tail_->next = &h;
  } else {
    head_ = &h;
  }
  tail_ = &h;
  ++size_;
}

void WaitQueue::Remove(Hook& h) {
  assert(h.queue == this);
  if (h.prev != nullptr) h.prev->next = h.next; else head_ = h.next;
  if (h.next != nullptr) h.next->prev = h.prev; else tail_ = h.prev;
  h.prev = h.next = nullptr;
  h.queue = nullptr;
  --size_;
}

Fiber* WaitQueue::PopFront() {
  Hook* h = head_;
  if (h == nullptr) return nullptr;
  Remove(*h);
  return h->fiber;
}

}  // namespace benchfs

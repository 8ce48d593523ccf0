// WaitQueue: doubly linked through Fiber::wait_hook.
#include "runtime/wait_queue.h"

#include <cassert>

#include "runtime/fiber.h"

namespace benchfs {

void WaitQueue::PushBack(Fiber* f) {
  assert(f->wait_hook.queue == nullptr);
  f->wait_hook = {tail_, nullptr, this};
  if (tail_ != nullptr) {
    tail_->wait_hook.next = f;
  } else {
    head_ = f;
  }
  tail_ = f;
  ++size_;
}

void WaitQueue::Remove(Fiber* f) {
  assert(f->wait_hook.queue == this);
  Fiber* prev = f->wait_hook.prev;
  Fiber* next = f->wait_hook.next;
  if (prev != nullptr) prev->wait_hook.next = next; else head_ = next;
  if (next != nullptr) next->wait_hook.prev = prev; else tail_ = prev;
  f->wait_hook = {};
  --size_;
}

Fiber* WaitQueue::PopFront() {
  Fiber* f = head_;
  if (f != nullptr) Remove(f);
  return f;
}

}  // namespace benchfs

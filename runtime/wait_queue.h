// SPDX-License-Identifier: BSD-3-Clause
// WaitQueue: an intrusive FIFO of fibers blocked on something (an event, a
// semaphore, a channel, a join). A fiber sits in at most one queue at a time,
// through the Hook it carries, and can be unlinked in O(1) when a deadline or
// cancellation wakes it first. The queue links hooks only; it never looks
// inside a Fiber.
#pragma once

#include <cstddef>

namespace benchfs {

struct Fiber;

class WaitQueue {
 public:
  // One fiber's link; `fiber` is set once, when the fiber record is made.
  struct Hook {
    explicit Hook(Fiber* owner) : fiber(owner) {}
    Hook* prev = nullptr;
    Hook* next = nullptr;
    WaitQueue* queue = nullptr;  // the queue it is in, or null
    Fiber* const fiber;
  };

  WaitQueue() = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }
  Fiber* front() const { return head_ != nullptr ? head_->fiber : nullptr; }

  void PushBack(Hook& h);
  void Remove(Hook& h);
  Fiber* PopFront();

 private:
  Hook* head_ = nullptr;
  Hook* tail_ = nullptr;
  size_t size_ = 0;
};

}  // namespace benchfs

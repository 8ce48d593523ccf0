// WaitQueue: an intrusive FIFO of fibers blocked on something (an event, a
// semaphore, a channel, a join). A fiber sits in at most one queue at a time,
// and can be unlinked in O(1) when a deadline or cancellation wakes it first.
#pragma once

#include <cstddef>

namespace benchfs {

struct Fiber;

class WaitQueue {
 public:
  struct Hook {
    Fiber* prev = nullptr;
    Fiber* next = nullptr;
    WaitQueue* queue = nullptr;
  };

  WaitQueue() = default;
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  bool empty() const { return head_ == nullptr; }
  size_t size() const { return size_; }
  Fiber* front() const { return head_; }

  void PushBack(Fiber* f);
  void Remove(Fiber* f);
  Fiber* PopFront();

 private:
  Fiber* head_ = nullptr;
  Fiber* tail_ = nullptr;
  size_t size_ = 0;
};

}  // namespace benchfs

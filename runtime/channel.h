// SPDX-License-Identifier: BSD-3-Clause
// Channel<T>: a bounded FIFO between fibers of one executor. Send() blocks
// while the channel is full (backpressure), Recv() while it is empty. Close()
// wakes everyone: senders fail, receivers drain what is left and then get
// nothing.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "runtime/executor.h"

namespace benchfs {

template <typename T>
class Channel {
 public:
  Channel(Executor& ex, size_t capacity) : ex_(ex), capacity_(capacity == 0 ? 1 : capacity) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // OK, or CANCELLED (closed / cancelled) or TIMED_OUT; on failure the value
  // is not enqueued.
  Status Send(T value, const WaitOptions& w = {}) {
    while (!closed_ && items_.size() >= capacity_) {
      WakeReason r = ex_.Wait(&senders_, w);
      if (r == WakeReason::kTimedOut) return Status::TimedOut("channel send timed out");
      if (r == WakeReason::kCancelled) return Status::Cancelled("channel send cancelled");
    }
    if (closed_) return Status::Cancelled("channel is closed");
    items_.push_back(std::move(value));
    ex_.WakeOne(receivers_);
    return Status();
  }

  bool TrySend(T& value) {
    if (closed_ || items_.size() >= capacity_) return false;
    items_.push_back(std::move(value));
    ex_.WakeOne(receivers_);
    return true;
  }

  // A value, or nothing once the channel is closed and drained, or on
  // deadline / cancellation.
  std::optional<T> Recv(const WaitOptions& w = {}) {
    while (items_.empty()) {
      if (closed_) return std::nullopt;
      if (ex_.Wait(&receivers_, w) != WakeReason::kNotified && items_.empty()) return std::nullopt;
    }
    return PopFront();
  }

  std::optional<T> TryRecv() {
    if (items_.empty()) return std::nullopt;
    return PopFront();
  }

  void Close() {
    closed_ = true;
    ex_.WakeAll(senders_);
    ex_.WakeAll(receivers_);
  }

  bool closed() const { return closed_; }
  size_t size() const { return items_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  T PopFront() {
    T v = std::move(items_.front());
    items_.pop_front();
    ex_.WakeOne(senders_);
    return v;
  }

  Executor& ex_;
  size_t capacity_;
  std::deque<T> items_;
  WaitQueue senders_;
  WaitQueue receivers_;
  bool closed_ = false;
};

}  // namespace benchfs

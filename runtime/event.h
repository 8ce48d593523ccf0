// SPDX-License-Identifier: BSD-3-Clause
// Event: a fiber-aware flag. Wait() blocks the calling fiber until Set();
// Reset() clears it again. Set() wakes every waiter.
#pragma once

#include "runtime/executor.h"

namespace benchfs {

class Event {
 public:
  explicit Event(Executor& ex) : ex_(ex) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void Set() {
    set_ = true;
    ex_.WakeAll(waiters_);
  }
  void Reset() { set_ = false; }
  bool is_set() const { return set_; }

  // From a fiber: true once set; false if the deadline passed or the wait was
  // cancelled first.
  bool Wait(const WaitOptions& w = {}) {
    while (!set_) {
      if (ex_.Wait(&waiters_, w) != WakeReason::kNotified) return set_;
    }
    return true;
  }

 private:
  Executor& ex_;
  WaitQueue waiters_;
  bool set_ = false;
};

}  // namespace benchfs

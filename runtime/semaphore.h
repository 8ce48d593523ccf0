// SPDX-License-Identifier: BSD-3-Clause
// Semaphore: a fiber-aware counting semaphore. Acquire() blocks the calling
// fiber while no permit is free; waiters are served first come, first served.
#pragma once

#include <cstdint>

#include "runtime/executor.h"

namespace benchfs {

class Semaphore {
 public:
  Semaphore(Executor& ex, uint64_t permits) : ex_(ex), permits_(permits) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  bool TryAcquire() {
    if (permits_ == 0 || !waiters_.empty()) return false;
    --permits_;
    return true;
  }

  // From a fiber: true with a permit taken; false on deadline or cancellation.
  bool Acquire(const WaitOptions& w = {}) {
    if (TryAcquire()) return true;
    while (true) {
      WakeReason r = ex_.Wait(&waiters_, w);
      if (r == WakeReason::kNotified && permits_ > 0) {
        --permits_;
        // More permits than this one may have been released at once.
        if (permits_ > 0) ex_.WakeOne(waiters_);
        return true;
      }
      if (r != WakeReason::kNotified) {
        if (permits_ > 0) ex_.WakeOne(waiters_);  // pass on a wake-up we can't use
        return false;
      }
    }
  }

  void Release(uint64_t n = 1) {
    permits_ += n;
    ex_.WakeOne(waiters_);
  }

  uint64_t available() const { return permits_; }
  size_t waiting() const { return waiters_.size(); }

 private:
  Executor& ex_;
  uint64_t permits_;
  WaitQueue waiters_;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Completion: how a caller thread waits for a call another thread drives
// (libbenchfs/driver.h), and how a driving caller knows its call is done.
// A waiting caller sleeps on a futex at once; Signal() never blocks and makes
// a system call only when the caller is asleep. The waiter does not spin
// first: on two cores shared with a local server, a spinning waiter keeps the
// driving thread off the core it needs (measured: a stat at QD1 over shared
// memory took 3-4 us sleeping at once, 10-15 us with a 200-pause spin and
// about 40 us with a 2000-pause one). One Completion serves one call.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace benchfs::capi {

class Completion {
 public:
  Completion() = default;
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  // Caller thread: returns once Signal() has been called.
  void Wait() {
    uint32_t expected = kPending;
    if (!state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel)) return;  // done
    while (state_.load(std::memory_order_acquire) != kDone) {
      ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, kSleeping, nullptr,
                nullptr, 0);
    }
  }

  // Any thread: whether Signal() has been called (a driving caller asks
  // after every tick of the loop it drives).
  bool Done() const { return state_.load(std::memory_order_acquire) == kDone; }

  // The driving thread: never blocks. The waiter may return (and free this
  // object) as soon as the state reads kDone; a FUTEX_WAKE on an address
  // whose waiter has left is harmless.
  void Signal() {
    if (state_.exchange(kDone, std::memory_order_acq_rel) == kSleeping) {
      ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    }
  }

 private:
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  static constexpr uint32_t kPending = 0;
  static constexpr uint32_t kDone = 1;
  static constexpr uint32_t kSleeping = 2;
  std::atomic<uint32_t> state_{kPending};
};

}  // namespace benchfs::capi

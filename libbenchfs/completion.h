// Completion: how a caller thread waits for work the library's executor
// thread does for it. The caller spins briefly (a QD1 round trip over shared
// memory often ends within the spin) and then sleeps on a futex; the
// executor's Signal() never blocks and makes a system call only when the
// caller is asleep. One Completion serves one call.
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
    for (uint32_t i = 0; i < kSpins; ++i) {
      if (state_.load(std::memory_order_acquire) == kDone) return;
      CpuRelax();
    }
    uint32_t expected = kPending;
    if (!state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acq_rel)) return;  // done
    while (state_.load(std::memory_order_acquire) != kDone) {
      ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, kSleeping, nullptr,
                nullptr, 0);
    }
  }

  // Executor thread: never blocks. The waiter may return (and free this
  // object) as soon as the state reads kDone; a FUTEX_WAKE on an address
  // whose waiter has left is harmless.
  void Signal() {
    if (state_.exchange(kDone, std::memory_order_acq_rel) == kSleeping) {
      ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    }
  }

 private:
  static void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  static constexpr uint32_t kPending = 0;
  static constexpr uint32_t kDone = 1;
  static constexpr uint32_t kSleeping = 2;
  // About 20-60 us of pause instructions, depending on the CPU.
  static constexpr uint32_t kSpins = 2000;
  std::atomic<uint32_t> state_{kPending};
};

}  // namespace benchfs::capi

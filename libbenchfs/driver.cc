// SPDX-License-Identifier: BSD-3-Clause
// Driver: taking turns at the executor, and the library's own thread.
#include "libbenchfs/driver.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

namespace benchfs::capi {

Driver::Driver(Executor& ex, Duration maintenance) : ex_(ex), maintenance_(maintenance) {
  thread_ = std::thread([this] { Background(); });
}

Driver::~Driver() {
  stop_.store(true, std::memory_order_seq_cst);
  WakeBackground();
  thread_.join();
}

bool Driver::TryAcquire() {
  // A plain load first: a caller that would fail does not take the line.
  if (held_.load(std::memory_order_relaxed)) return false;
  bool expected = false;
  return held_.compare_exchange_strong(expected, true, std::memory_order_seq_cst);
}

void Driver::Release() {
  held_.store(false, std::memory_order_seq_cst);
  // A caller that handed a call over after failing to take the role counted
  // it first: either it saw the role free (and drives), or this load sees
  // its count.
  if (handed_.load(std::memory_order_seq_cst) > 0) WakeBackground();
}

void Driver::WakeBackground() {
  wake_seq_.fetch_add(1, std::memory_order_seq_cst);
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&wake_seq_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

void Driver::DriveUntil(const std::function<bool()>& done) {
  ex_.Drive(done);
  Release();
}

void Driver::Call(std::function<void()> body, Completion& done) {
  if (TryAcquire()) {
    driven_.store(driven_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // the role's holder only
    ex_.Spawn(std::move(body));
    DriveUntil([&done] { return done.Done(); });
    return;
  }
  handed_.fetch_add(1, std::memory_order_seq_cst);
  handed_total_.fetch_add(1, std::memory_order_relaxed);
  ex_.Post([this, body = std::move(body)]() mutable {
    ex_.Spawn([this, body = std::move(body)] {
      body();
      handed_.fetch_sub(1, std::memory_order_seq_cst);
    });
  });
  // The driver may have left before the post: then nobody runs it but us.
  if (TryAcquire()) {
    DriveUntil([&done] { return done.Done(); });
    return;
  }
  done.Wait();
}

void Driver::Background() {
  uint64_t driven_seen = driven_.load(std::memory_order_relaxed);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(maintenance_).count();
  const timespec period{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
  while (!stop_.load(std::memory_order_seq_cst)) {
    const uint32_t seq = wake_seq_.load(std::memory_order_seq_cst);
    if (handed_.load(std::memory_order_seq_cst) > 0 && TryAcquire()) {
      DriveUntil([this] { return handed_.load(std::memory_order_seq_cst) == 0 || stop_.load(std::memory_order_relaxed); });
      continue;
    }
    // Sleeps until a driver leaves work behind (seq moves), or a period.
    const long r = ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&wake_seq_), FUTEX_WAIT_PRIVATE, seq, &period,
                             nullptr, 0);
    if (r == -1 && errno == ETIMEDOUT) {
      const uint64_t driven = driven_.load(std::memory_order_relaxed);
      if (driven == driven_seen && TryAcquire()) {
        DriveUntil([] { return true; });  // one tick: UCX progress, timers
      }
      driven_seen = driven;
    }
  }
}

}  // namespace benchfs::capi

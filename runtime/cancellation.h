// SPDX-License-Identifier: BSD-3-Clause
// Cancellation: lets one fiber (or the loop) abandon another fiber's blocking
// call. Pass it in WaitOptions; Cancel() wakes the waiter with CANCELLED. For
// an io_uring operation the reactor then issues an async-cancel and keeps the
// operation's buffers until the kernel has let go of them.
#pragma once

namespace benchfs {

class Executor;
struct Fiber;

class Cancellation {
 public:
  explicit Cancellation(Executor& ex) : ex_(&ex) {}
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;
  ~Cancellation();

  // Executor thread only. Idempotent.
  void Cancel();
  bool cancelled() const { return cancelled_; }

 private:
  friend class Executor;
  Executor* ex_;
  Fiber* waiter_ = nullptr;  // the fiber currently waiting with this, if any
  bool cancelled_ = false;
};

}  // namespace benchfs

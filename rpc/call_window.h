// SPDX-License-Identifier: BSD-3-Clause
// CallWindow: how many calls one client connection may have in flight, learnt
// from the server's BUSY answers - additive increase, multiplicative decrease,
// as TCP does with its congestion window.
//
// Until a server first answers BUSY the window is effectively unlimited, so a
// client that never overloads its server never waits here. A BUSY answer
// halves the window (once per round of calls: answers to calls sent before
// the last decrease do not decrease it again) and every successful call grows
// it by 1/window. Calls beyond the window wait in first-come, first-served
// order within their own deadline, so many clients overloading one server
// queue at home instead of flooding it with retries: the server spends its
// time serving, and no waiting call is starved by luckier ones.
#pragma once

#include <algorithm>
#include <cstdint>

#include "runtime/executor.h"
#include "runtime/wait_queue.h"

namespace benchfs {

class CallWindow {
 public:
  static constexpr double kUnlimited = 1 << 20;

  CallWindow() = default;
  CallWindow(const CallWindow&) = delete;
  CallWindow& operator=(const CallWindow&) = delete;

  // From a fiber: takes a slot, waiting for one if the window is full. False
  // when the deadline or a cancellation came first.
  bool Acquire(Executor& ex, const WaitOptions& w) {
    if (inflight_ < window_ && waiters_.empty()) {
      ++inflight_;
      return true;
    }
    ++waited_;
    // A slot is handed over by the fiber that frees it (see Release).
    return ex.Wait(&waiters_, w) == WakeReason::kNotified;
  }

  enum class Outcome { kServed, kBusy, kFailed };

  // A call that held a slot ended. `seq`: the sequence number it was sent
  // with; `latest_seq`: the newest sequence number sent so far. Only served
  // calls grow the window and only BUSY answers shrink it.
  void Release(Executor& ex, Outcome outcome, uint64_t seq, uint64_t latest_seq) {
    if (outcome == Outcome::kBusy) {
      if (seq > recover_seq_) {
        window_ = std::max(1.0, std::min(window_, static_cast<double>(inflight_)) / 2);
        recover_seq_ = latest_seq;
        ++decreases_;
      }
    } else if (outcome == Outcome::kServed && window_ < kUnlimited) {
      window_ += 1 / window_;
    }
    --inflight_;
    HandOver(ex);
  }

  // The connection is gone: every waiter gets a slot at once (its call then
  // fails fast on the dead connection and releases it).
  void ReleaseAll(Executor& ex) {
    while (!waiters_.empty()) {
      ++inflight_;
      ex.WakeOne(waiters_);
    }
  }

  double window() const { return window_; }
  uint32_t inflight() const { return inflight_; }
  size_t waiting() const { return waiters_.size(); }
  uint64_t waited() const { return waited_; }        // calls that had to wait
  uint64_t decreases() const { return decreases_; }  // BUSY rounds

 private:
  void HandOver(Executor& ex) {
    while (inflight_ < window_ && !waiters_.empty()) {
      ++inflight_;
      ex.WakeOne(waiters_);
    }
  }

  double window_ = kUnlimited;
  uint32_t inflight_ = 0;
  uint64_t recover_seq_ = 0;
  uint64_t waited_ = 0;
  uint64_t decreases_ = 0;
  WaitQueue waiters_;
};

}  // namespace benchfs

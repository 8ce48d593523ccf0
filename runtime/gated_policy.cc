// SPDX-License-Identifier: BSD-3-Clause
// GatedPolicy: the reproduction of the historical reactor that made a 4 KiB
// write take 150 ms. SQEs are submitted only once submit_batch are waiting or
// submit_timeout has passed since the oldest was queued, whatever else is
// runnable; the CQ is looked at only once complete_timeout has passed since
// the last submit; and a parked loop sleeps on its fds, not on the ring, until
// that reap gate opens. With submit_timeout 50 ms and complete_timeout 100 ms
// every lone operation takes 150 ms.
#include "runtime/reactor_policy.h"

#include <algorithm>

namespace benchfs {
namespace {

class GatedPolicy final : public ReactorPolicy {
 public:
  explicit GatedPolicy(const ExecutorConfig& c)
      : submit_timeout_(c.submit_timeout),
        complete_timeout_(c.complete_timeout),
        submit_batch_(c.submit_batch) {}

  bool ShouldSubmit(unsigned unsubmitted, bool) override {
    const TimePoint now = Now();
    if (!have_pending_time_) {
      have_pending_time_ = true;
      first_pending_ = now;
    }
    return unsubmitted >= submit_batch_ || now - first_pending_ >= submit_timeout_;
  }
  void OnSubmit() override {
    have_pending_time_ = false;
    last_submit_ = Now();
  }
  bool MayReap(uint32_t inflight) const override { return ReapGateOpen(inflight); }
  bool CompletesInline() const override { return false; }
  // The CQ is not looked at before the gate: waiting completions are no reason to stay awake.
  bool MaySleepWith(unsigned) const override { return true; }
  TimePoint NextDeadline(unsigned unsubmitted, uint32_t inflight) const override {
    TimePoint gate = kNoDeadline;
    if (unsubmitted > 0) gate = have_pending_time_ ? first_pending_ + submit_timeout_ : Now();
    // A reap gate that is already open is no reason to stay awake: the park
    // then watches the ring for the completion itself.
    if (inflight > 0 && !ReapGateOpen(inflight)) {
      gate = std::min(gate, last_submit_ + complete_timeout_);
    }
    return gate;
  }
  ParkOn ParkTarget(uint32_t inflight) const override {
    return ReapGateOpen(inflight) ? ParkOn::kFdsAndRing : ParkOn::kFds;
  }

 private:
  // Operations are in flight and complete_timeout has passed since the last submit.
  bool ReapGateOpen(uint32_t inflight) const {
    return inflight > 0 && Now() - last_submit_ >= complete_timeout_;
  }

  const Duration submit_timeout_;
  const Duration complete_timeout_;
  const uint32_t submit_batch_;
  bool have_pending_time_ = false;  // first_pending_ holds the oldest unsubmitted SQE's time
  TimePoint first_pending_{};
  TimePoint last_submit_{};
};

}  // namespace

std::unique_ptr<ReactorPolicy> MakeGatedPolicy(const ExecutorConfig& config) {
  return std::make_unique<GatedPolicy>(config);
}

}  // namespace benchfs

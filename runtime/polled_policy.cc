// SPDX-License-Identifier: BSD-3-Clause
// PolledPolicy: the default reactor policy. SQEs are submitted at the end of
// the tick that produced them (held back up to submit_timeout for a batch of
// submit_batch only while other fibers can still add to it), completions are
// reaped every tick, and an idle loop sleeps in the ring so the first
// completion wakes it.
#include "runtime/reactor_policy.h"

namespace benchfs {
namespace {

class PolledPolicy final : public ReactorPolicy {
 public:
  explicit PolledPolicy(const ExecutorConfig& c)
      : submit_timeout_(c.submit_timeout), submit_batch_(c.submit_batch) {}

  bool ShouldSubmit(unsigned unsubmitted, bool fibers_runnable) override {
    if (!fibers_runnable || submit_timeout_ <= Duration(0) || unsubmitted >= submit_batch_) {
      return true;
    }
    const TimePoint now = Now();
    if (!deferring_) {
      deferring_ = true;
      defer_since_ = now;
      return false;
    }
    return now - defer_since_ >= submit_timeout_;
  }
  void OnSubmit() override { deferring_ = false; }
  bool MayReap(uint32_t) const override { return true; }
  bool CompletesInline() const override { return true; }
  bool MaySleepWith(unsigned reapable) const override { return reapable == 0; }
  TimePoint NextDeadline(unsigned, uint32_t) const override { return kNoDeadline; }
  ParkOn ParkTarget(uint32_t) const override { return ParkOn::kRing; }

 private:
  const Duration submit_timeout_;
  const uint32_t submit_batch_;
  bool deferring_ = false;  // a batch is being held back since defer_since_
  TimePoint defer_since_{};
};

}  // namespace

std::unique_ptr<ReactorPolicy> MakePolledPolicy(const ExecutorConfig& config) {
  return std::make_unique<PolledPolicy>(config);
}

std::unique_ptr<ReactorPolicy> MakeReactorPolicy(const ExecutorConfig& config) {
  if (config.reactor_mode == ReactorMode::kGated) return MakeGatedPolicy(config);
  return MakePolledPolicy(config);
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// ReactorPolicy: when the io_uring reactor submits, when it may look at
// completions, and how it sleeps. The reactor owns the ring; a policy owns
// only the timing state its decisions need and sees the ring through two
// counts (SQEs prepared but unsubmitted, operations in flight).
//
// Two policies exist (ExecutorConfig::reactor_mode):
//   polled  (polled_policy.cc)  submit at the end of the tick, reap every tick,
//                               sleep in the ring so a completion wakes it.
//   gated   (gated_policy.cc)   the historical reproduction: submit only after
//                               submit_timeout, look at completions only after
//                               complete_timeout (the 150 ms write).
#pragma once

#include <cstdint>
#include <memory>

#include "runtime/clock.h"
#include "runtime/executor_config.h"

namespace benchfs {

// Where a parked reactor sleeps.
enum class ParkOn : unsigned char {
  kRing,        // in the ring: a completion, the wake fd or a watched fd ends the sleep
  kFds,         // on the wake fd and watched fds only; completions do not wake it
  kFdsAndRing,  // on those fds and the ring's fd
};

class ReactorPolicy {
 public:
  virtual ~ReactorPolicy() = default;

  // Whether the `unsubmitted` SQEs should be submitted now. `fibers_runnable`
  // says other fibers may still add to the batch in this tick.
  virtual bool ShouldSubmit(unsigned unsubmitted, bool fibers_runnable) = 0;
  // The ring was just submitted.
  virtual void OnSubmit() = 0;
  // Whether completions may be looked at now, with `inflight` operations in flight.
  virtual bool MayReap(uint32_t inflight) const = 0;
  // Whether an operation may be flushed and reaped during its own submission
  // when no other fiber is ready.
  virtual bool CompletesInline() const = 0;
  // Whether the loop may sleep while `reapable` completions wait in the CQ.
  virtual bool MaySleepWith(unsigned reapable) const = 0;
  // The latest moment the loop must wake for this policy; kNoDeadline if none.
  virtual TimePoint NextDeadline(unsigned unsubmitted, uint32_t inflight) const = 0;
  // Where to sleep when the loop parks.
  virtual ParkOn ParkTarget(uint32_t inflight) const = 0;
};

std::unique_ptr<ReactorPolicy> MakePolledPolicy(const ExecutorConfig& config);
std::unique_ptr<ReactorPolicy> MakeGatedPolicy(const ExecutorConfig& config);
// The policy `config.reactor_mode` names.
std::unique_ptr<ReactorPolicy> MakeReactorPolicy(const ExecutorConfig& config);

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// GroupCommit: leader election among waiting writers.
#include "storage/group_commit.h"

namespace benchfs {

Status GroupCommit::WaitCovered() {
  const uint64_t mine = next_;
  while (done_ < mine) {
    if (!running_) {
      running_ = true;
      const TimePoint due = last_start_ + interval_;
      if (Now() < due) ex_.SleepUntil(due);  // writers arriving meanwhile join this batch
      const uint64_t batch = next_++;
      last_start_ = Now();
      // Each writer's own durability is checked by its caller after the
      // batch (failed files are remembered); the batch itself only paces.
      sync_all_().IgnoreError();
      done_ = batch;
      running_ = false;
      ex_.WakeAll(waiters_);
      continue;
    }
    if (ex_.Wait(&waiters_) != WakeReason::kNotified) {
      return Status::Cancelled("waiting for a group commit was cancelled");
    }
  }
  return Status();
}

}  // namespace benchfs

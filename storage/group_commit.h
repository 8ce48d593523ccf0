// SPDX-License-Identifier: BSD-3-Clause
// GroupCommit: the `group` durability policy's batching. A writer whose bytes
// are in the kernel calls WaitCovered(); the first such fiber becomes the
// leader, waits until `interval` has passed since the previous batch began,
// then runs `sync_all` (which snapshots what is dirty before it suspends);
// every writer that finished before that snapshot is covered by the batch and
// resumes when it ends. Writers that finish during a batch wait for the next.
// No background fiber: the leader is always a waiting writer.
#pragma once

#include <cstdint>
#include <functional>

#include "runtime/executor.h"

namespace benchfs {

class GroupCommit {
 public:
  GroupCommit(Executor& ex, Duration interval, std::function<Status()> sync_all)
      : ex_(ex), interval_(interval), sync_all_(std::move(sync_all)) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // From a fiber: returns once a batch that began after this call has synced.
  // The batch's own errors are reported by `sync_all`'s side effects (the
  // backend keeps them per file); this returns only CANCELLED.
  Status WaitCovered();

  uint64_t batches() const { return done_; }

 private:
  Executor& ex_;
  Duration interval_;
  std::function<Status()> sync_all_;
  uint64_t next_ = 1;  // the batch that will snapshot next
  uint64_t done_ = 0;  // the last batch finished
  bool running_ = false;
  TimePoint last_start_{};
  WaitQueue waiters_;
};

}  // namespace benchfs

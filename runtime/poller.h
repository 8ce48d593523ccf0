// SPDX-License-Identifier: BSD-3-Clause
// Poller: a source of events the executor drives besides io_uring (the UCX
// worker is one). Each tick the executor calls Poll(); before it parks it asks
// every poller to ArmForPark() and watches each wake_fd() through the ring, so
// a parked executor wakes when any poller has work.
#pragma once

namespace benchfs {

class Poller {
 public:
  virtual ~Poller() = default;
  // Makes progress without blocking; true if anything happened.
  virtual bool Poll() = 0;
  // Prepares wake_fd() to signal new work. False means work is already
  // pending and the executor must not park (it polls again instead).
  virtual bool ArmForPark() = 0;
  // Becomes readable when the poller has work; -1 if it never sleeps.
  virtual int wake_fd() const = 0;
};

}  // namespace benchfs

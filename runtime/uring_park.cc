// SPDX-License-Identifier: BSD-3-Clause
// How the io_uring reactor sleeps and is woken: WaitForEvents() sleeps where
// the policy says (in the ring, or on the fds alone), an eventfd read kept
// armed in the ring carries cross-thread Notify()s, and pollers' wake fds are
// watched by poll operations re-armed before each sleep.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "runtime/executor.h"
#include "runtime/uring_reactor.h"
#include "runtime/uring_slot.h"

namespace benchfs {

void UringReactor::Notify() {
  const uint64_t one = 1;
  ssize_t n = ::write(wake_fd_.get(), &one, sizeof(one));
  (void)n;  // EAGAIN means the counter is already non-zero: a wake is pending
}

void UringReactor::ArmWakeRead() {
  if (wake_armed_) return;
  io_uring_sqe* sqe;
  uint64_t user_data;
  if (!SubmitInternal(&sqe, &UringReactor::OnWakeRead, 0, &user_data)) return;
  io_uring_prep_read(sqe, wake_fd_.get(), &wake_buf_, sizeof(wake_buf_), 0);
  io_uring_sqe_set_data64(sqe, user_data);
  wake_armed_ = true;
}

void UringReactor::OnWakeRead(void* ctx, uint64_t, int32_t, uint32_t) {
  static_cast<UringReactor*>(ctx)->wake_armed_ = false;  // re-armed before the next park
}

void UringReactor::WatchFd(int fd) { watched_.push_back({fd, false, 0}); }

void UringReactor::UnwatchFd(int fd) {
  for (auto it = watched_.begin(); it != watched_.end(); ++it) {
    if (it->fd != fd) continue;
    if (it->armed) CancelUserData(it->user_data);
    watched_.erase(it);
    return;
  }
}

void UringReactor::ArmWatchedFds() {
  for (WatchedFd& w : watched_) {
    if (w.armed) continue;
    io_uring_sqe* sqe;
    if (!SubmitInternal(&sqe, &UringReactor::OnWatchedFd, static_cast<uint64_t>(w.fd),
                        &w.user_data)) {
      return;
    }
    io_uring_prep_poll_add(sqe, w.fd, POLLIN);
    io_uring_sqe_set_data64(sqe, w.user_data);
    w.armed = true;
  }
}

void UringReactor::OnWatchedFd(void* ctx, uint64_t fd, int32_t, uint32_t) {
  for (WatchedFd& w : static_cast<UringReactor*>(ctx)->watched_) {
    if (w.fd == static_cast<int>(fd)) w.armed = false;  // re-armed before the next park
  }
}

void UringReactor::WaitForEvents(Duration timeout) {
  switch (policy_->ParkTarget(inflight_)) {
    case ParkOn::kRing: SleepInRing(timeout); return;
    case ParkOn::kFds: SleepOnFds(timeout, false); return;
    case ParkOn::kFdsAndRing: SleepOnFds(timeout, true); return;
  }
}

void UringReactor::SleepOnFds(Duration timeout, bool with_ring) {
  // Without looking at the ring: sleep on the wake eventfd and the watched fds
  // (and the ring's fd when the policy lets a completion end the sleep).
  std::vector<pollfd> pfds;
  pfds.push_back({wake_fd_.get(), POLLIN, 0});
  for (const WatchedFd& w : watched_) pfds.push_back({w.fd, POLLIN, 0});
  if (with_ring) pfds.push_back({ring_.ring_fd, POLLIN, 0});
  timespec ts{static_cast<time_t>(timeout.count() / 1000000000),
              static_cast<long>(timeout.count() % 1000000000)};
  if (ppoll(pfds.data(), pfds.size(), &ts, nullptr) > 0 && (pfds[0].revents & POLLIN)) {
    uint64_t v;
    ssize_t n = ::read(wake_fd_.get(), &v, sizeof(v));
    (void)n;
  }
}

void UringReactor::SleepInRing(Duration timeout) {
  ArmWatchedFds();
  ArmWakeRead();
  __kernel_timespec ts = ToTimespec(timeout);
  io_uring_cqe* cqe = nullptr;
  int ret = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
  if (ret > 0) {
    ExecutorStats& st = ex_.mutable_stats();
    ++st.sq_flushes;
    st.sqes_submitted += static_cast<uint64_t>(ret);
  } else if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
    FatalUringError("io_uring_submit_and_wait_timeout", -ret);
  }
}

}  // namespace benchfs

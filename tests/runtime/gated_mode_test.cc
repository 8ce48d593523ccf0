// SPDX-License-Identifier: BSD-3-Clause
// The legacy `gated` mode keeps its two gates and nothing more: completions
// that the kernel defers (SINGLE_ISSUER + DEFER_TASKRUN rings) are still
// reaped once the reap gate opens, and an executor with an operation in
// flight past its reap gate sleeps until the completion instead of spinning.
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/cancellation.h"
#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;

double ThreadCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

ExecutorConfig Gated(Duration submit, Duration complete, RingSetup ring = RingSetup::kNone) {
  ExecutorConfig cfg;
  cfg.reactor_mode = ReactorMode::kGated;
  cfg.submit_timeout = submit;
  cfg.complete_timeout = complete;
  cfg.ring_setup = ring;
  return cfg;
}

TEST(GatedMode, DeferredCompletionsAreReapedAtTheGate) {
  auto ex = MakeExecutor(Gated(1ms, 1ms, RingSetup::kSingleIssuerDeferTaskrun));
  ASSERT_TRUE(ex);
  ex->Run([&] {
    for (int i = 0; i < 5; ++i) {
      // A kernel timer completes asynchronously: its CQE is deferred task work.
      const TimePoint t0 = Now();
      Status s = ex->uring().Timeout(2ms, WaitOptions::For(5s));
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_LT(Now() - t0, 1s);
    }
  });
}

TEST(GatedMode, SleepsWithAnOperationInFlightPastItsGate) {
  auto ex = MakeExecutor(Gated(Duration(0), 1ms));
  ASSERT_TRUE(ex);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  double cpu = 0;
  double wall = 0;
  ex->Run([&] {
    Cancellation stop(*ex);
    // Never readable: stays in flight for the whole test.
    FiberHandle poller = ex->Spawn([&] { (void)ex->uring().PollAdd(fds[0], POLLIN, {kNoDeadline, &stop}); });
    ex->SleepFor(10ms);
    const double cpu0 = ThreadCpuSeconds();
    const TimePoint t0 = Now();
    ex->SleepFor(300ms);
    cpu = ThreadCpuSeconds() - cpu0;
    wall = std::chrono::duration<double>(Now() - t0).count();
    stop.Cancel();
    ex->Join(poller);
  });
  ::close(fds[0]);
  ::close(fds[1]);
  // Spinning would use the whole core; parking between 1 ms gates uses little.
  EXPECT_LT(cpu, 0.5 * wall) << "gated executor used " << cpu << " s of CPU in " << wall << " s while idle";
  EXPECT_GT(ex->stats().parks, 10u);
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The reactor policies' decisions, without a ring: when the polled and gated
// policies submit, when they let the reactor reap, when the loop must wake and
// where it sleeps. Timeouts are either zero or an hour, so no decision here
// depends on how fast the test runs.
#include <chrono>

#include <gtest/gtest.h>

#include "runtime/reactor_policy.h"

namespace benchfs {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;

ExecutorConfig Config(ReactorMode mode, Duration submit_timeout, Duration complete_timeout,
                      uint32_t batch) {
  ExecutorConfig c;
  c.reactor_mode = mode;
  c.submit_timeout = submit_timeout;
  c.complete_timeout = complete_timeout;
  c.submit_batch = batch;
  return c;
}

TEST(PolledPolicy, SubmitsAtOnceWhenNoOtherFiberCanAddToTheBatch) {
  auto p = MakePolledPolicy(Config(ReactorMode::kPolled, hours(1), hours(1), 32));
  EXPECT_TRUE(p->ShouldSubmit(1, /*fibers_runnable=*/false));
}

TEST(PolledPolicy, HoldsABatchBackOnlyWhileFibersAreRunnableAndItIsNotFull) {
  auto p = MakePolledPolicy(Config(ReactorMode::kPolled, hours(1), hours(1), 4));
  EXPECT_FALSE(p->ShouldSubmit(1, true));
  EXPECT_FALSE(p->ShouldSubmit(3, true));
  EXPECT_TRUE(p->ShouldSubmit(4, true));  // the batch is full
  EXPECT_TRUE(p->ShouldSubmit(1, false));
}

TEST(PolledPolicy, WithoutASubmitTimeoutNeverHoldsBack) {
  auto p = MakePolledPolicy(Config(ReactorMode::kPolled, Duration(0), hours(1), 32));
  EXPECT_TRUE(p->ShouldSubmit(1, true));
}

TEST(PolledPolicy, ADeferralEndsWhenTheSubmitTimeoutHasPassed) {
  auto p = MakePolledPolicy(Config(ReactorMode::kPolled, microseconds(1), hours(1), 32));
  EXPECT_FALSE(p->ShouldSubmit(1, true));  // starts the deferral
  const TimePoint start = Now();
  while (Now() - start < microseconds(50)) {
  }
  EXPECT_TRUE(p->ShouldSubmit(1, true));
  p->OnSubmit();
  EXPECT_FALSE(p->ShouldSubmit(1, true));  // a new batch starts a new deferral
}

TEST(PolledPolicy, ReapsEveryTickSleepsInTheRingAndCompletesInline) {
  auto p = MakePolledPolicy(Config(ReactorMode::kPolled, Duration(0), hours(1), 32));
  EXPECT_TRUE(p->MayReap(0));
  EXPECT_TRUE(p->MayReap(5));
  EXPECT_TRUE(p->CompletesInline());
  EXPECT_TRUE(p->MaySleepWith(0));
  EXPECT_FALSE(p->MaySleepWith(1));  // completions first
  EXPECT_EQ(p->NextDeadline(3, 3), kNoDeadline);
  EXPECT_EQ(p->ParkTarget(3), ParkOn::kRing);
}

TEST(GatedPolicy, HoldsSubmissionsUntilTheBatchIsFullWhateverElseIsRunnable) {
  auto p = MakeGatedPolicy(Config(ReactorMode::kGated, hours(1), hours(1), 4));
  EXPECT_FALSE(p->ShouldSubmit(1, false));
  EXPECT_FALSE(p->ShouldSubmit(3, false));
  EXPECT_TRUE(p->ShouldSubmit(4, false));
}

TEST(GatedPolicy, SubmitsOnceTheSubmitTimeoutHasPassedSinceTheOldestSqe) {
  auto p = MakeGatedPolicy(Config(ReactorMode::kGated, Duration(0), hours(1), 32));
  EXPECT_TRUE(p->ShouldSubmit(1, true));
}

TEST(GatedPolicy, TheNextWakeIsTheSubmitGateOfTheOldestUnsubmittedSqe) {
  auto p = MakeGatedPolicy(Config(ReactorMode::kGated, hours(1), hours(1), 32));
  const TimePoint before = Now();
  ASSERT_FALSE(p->ShouldSubmit(1, false));
  const TimePoint gate = p->NextDeadline(1, 0);
  EXPECT_GE(gate, before + hours(1));
  EXPECT_LE(gate, Now() + hours(1));
  EXPECT_EQ(p->NextDeadline(0, 0), kNoDeadline);
}

TEST(GatedPolicy, LooksAtCompletionsOnlyOnceTheCompleteTimeoutHasPassed) {
  auto closed = MakeGatedPolicy(Config(ReactorMode::kGated, Duration(0), hours(1), 32));
  closed->OnSubmit();
  EXPECT_FALSE(closed->MayReap(1));
  EXPECT_EQ(closed->ParkTarget(1), ParkOn::kFds);  // completions must not wake it
  EXPECT_TRUE(closed->MaySleepWith(8));
  EXPECT_NE(closed->NextDeadline(0, 1), kNoDeadline);

  auto open = MakeGatedPolicy(Config(ReactorMode::kGated, Duration(0), Duration(0), 32));
  open->OnSubmit();
  EXPECT_TRUE(open->MayReap(1));
  EXPECT_FALSE(open->MayReap(0));  // nothing in flight: nothing to look for
  EXPECT_EQ(open->ParkTarget(1), ParkOn::kFdsAndRing);
  EXPECT_EQ(open->NextDeadline(0, 1), kNoDeadline);  // an open gate is no reason to wake
  EXPECT_FALSE(open->CompletesInline());
}

TEST(ReactorPolicy, TheConfiguredModeChoosesThePolicy) {
  auto polled = MakeReactorPolicy(Config(ReactorMode::kPolled, Duration(0), Duration(0), 32));
  auto gated = MakeReactorPolicy(Config(ReactorMode::kGated, Duration(0), Duration(0), 32));
  EXPECT_TRUE(polled->CompletesInline());
  EXPECT_FALSE(gated->CompletesInline());
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The park invariant: the executor never sleeps in the kernel while a fiber is
// ready, a completion is reapable or a timer is due. Debug builds assert it in
// the loop; every build counts violations, and these workloads check the count
// stays zero while showing that parking does happen when the loop is idle.
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/event.h"
#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;
using testing::ScratchFile;

ExecutorConfig ParkEagerly() {
  ExecutorConfig cfg;
  cfg.idle_spin = Duration(0);  // park as soon as a tick finds nothing to do
  return cfg;
}

TEST(ParkInvariant, NeverParksWhileAFiberIsReady) {
  auto ex = MakeExecutor(ParkEagerly());
  ASSERT_TRUE(ex);
  ex->Run([&] {
    TimePoint end = Now() + 20ms;
    while (Now() < end) ex->Yield();
  });
  EXPECT_EQ(ex->stats().parks, 0u);
  EXPECT_EQ(ex->stats().park_violations, 0u);
}

TEST(ParkInvariant, NeverParksWhileACompletionIsReapable) {
  // NOPs and page-cache reads complete during submission, so their CQE is
  // always there to reap in the same tick: a correct loop never parks.
  auto ex = MakeExecutor(ParkEagerly());
  ASSERT_TRUE(ex);
  ScratchFile f(1 << 20);
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(ex->uring().Nop().ok());
      ASSERT_TRUE(ex->uring().Read(f.fd(), buf, 4096, (i % 256) * 4096ull).ok());
    }
  });
  EXPECT_EQ(ex->stats().parks, 0u);
  EXPECT_EQ(ex->stats().park_violations, 0u);
}

TEST(ParkInvariant, TimersNeverFireEarlyAndIdleLoopParks) {
  auto ex = MakeExecutor(ParkEagerly());
  ASSERT_TRUE(ex);
  std::mt19937 rng(42);
  int early = 0;
  ex->Run([&] {
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 200; ++i) {
      Duration d = std::chrono::microseconds(100 + rng() % 5000);
      hs.push_back(ex->Spawn([&, d] {
        TimePoint deadline = Now() + d;
        ex->SleepUntil(deadline);
        if (Now() < deadline) ++early;
      }));
    }
    for (auto& h : hs) ex->Join(h);
  });
  EXPECT_EQ(early, 0);
  EXPECT_GT(ex->stats().parks, 0u);  // it did sleep between timers
  EXPECT_EQ(ex->stats().park_violations, 0u);
}

TEST(ParkInvariant, MixedWorkloadKeepsInvariant) {
  for (RingSetup setup : {RingSetup::kNone, RingSetup::kCoopTaskrun,
                          RingSetup::kSingleIssuerDeferTaskrun, RingSetup::kSqpoll}) {
    ExecutorConfig cfg = ParkEagerly();
    cfg.ring_setup = setup;
    auto ex = MakeExecutor(cfg);
    ASSERT_TRUE(ex);
    ex->Run([&] {
      Event ev(*ex);
      std::vector<FiberHandle> hs;
      for (int i = 0; i < 50; ++i) {
        hs.push_back(ex->Spawn([&, i] {
          for (int k = 0; k < 20; ++k) {
            if (k % 3 == 0) ex->SleepFor(std::chrono::microseconds(50 * (i % 5)));
            if (k % 3 == 1) {
              EXPECT_TRUE(ex->uring().Timeout(std::chrono::microseconds(30)).ok());
            }
            if (k % 3 == 2) ex->Yield();
          }
        }));
      }
      hs.push_back(ex->Spawn([&] { ev.Wait(WaitOptions::For(3ms)); }));
      for (auto& h : hs) ex->Join(h);
    });
    EXPECT_EQ(ex->stats().park_violations, 0u) << RingSetupName(setup);
    EXPECT_EQ(ex->stats().stray_cqes, 0u) << RingSetupName(setup);
  }
}

}  // namespace
}  // namespace benchfs

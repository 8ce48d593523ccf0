// SPDX-License-Identifier: BSD-3-Clause
// Timers and wake-ups: a 1 ms sleep ends soon after 1 ms, and a parked
// executor is woken by another thread without waiting for its watchdog slice.
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/event.h"
#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;
using testing::Median;

TEST(Timers, SleepOneMillisecondResumesPromptly) {
  for (Duration spin : {Duration(0), Duration(50us)}) {
    ExecutorConfig cfg;
    cfg.idle_spin = spin;
    auto ex = MakeExecutor(cfg);
    ASSERT_TRUE(ex);
    std::vector<double> us;
    ex->Run([&] {
      for (int i = 0; i < 30; ++i) {
        TimePoint t0 = Now();
        ex->SleepFor(1ms);
        us.push_back(ToMicros(Now() - t0));
      }
    });
    for (double v : us) EXPECT_GE(v, 1000.0);
    // A parked wake-up in a VM costs tens of microseconds; allow a generous
    // 1 ms on top for the median, 50 ms for any single outlier.
    EXPECT_LE(Median(us), 2000.0) << "idle_spin " << FormatDuration(spin);
    EXPECT_LE(*std::max_element(us.begin(), us.end()), 51000.0);
  }
}

TEST(Timers, CrossThreadWakeReachesParkedExecutor) {
  ExecutorConfig cfg;
  cfg.idle_spin = Duration(0);
  cfg.complete_timeout = 5s;  // the watchdog slice cannot be what wakes it
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  double waited_ms = 0;
  ex->Run([&] {
    Event ev(*ex);
    const uint64_t parks_before = ex->stats().parks;
    TimePoint t0 = Now();
    std::thread t([&] {
      std::this_thread::sleep_for(50ms);
      ex->Post([&] { ev.Set(); });
    });
    EXPECT_TRUE(ev.Wait());
    waited_ms = std::chrono::duration<double, std::milli>(Now() - t0).count();
    t.join();
    EXPECT_GT(ex->stats().parks, parks_before);  // it really was asleep in the kernel
  });
  EXPECT_GE(waited_ms, 50.0);
  EXPECT_LT(waited_ms, 1000.0);
}

TEST(Timers, CrossThreadWakeInGatedMode) {
  ExecutorConfig cfg;
  cfg.reactor_mode = ReactorMode::kGated;
  cfg.idle_spin = Duration(0);
  cfg.complete_timeout = 5s;
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  double waited_ms = 0;
  ex->Run([&] {
    Event ev(*ex);
    TimePoint t0 = Now();
    std::thread t([&] {
      std::this_thread::sleep_for(20ms);
      ex->Post([&] { ev.Set(); });
    });
    EXPECT_TRUE(ev.Wait());
    waited_ms = std::chrono::duration<double, std::milli>(Now() - t0).count();
    t.join();
  });
  EXPECT_LT(waited_ms, 1000.0);
}

TEST(Timers, ManyDeadlinesCancelledEarlyLeaveNoTimers) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Event ev(*ex);
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 1000; ++i) hs.push_back(ex->Spawn([&] { ev.Wait(WaitOptions::For(1h)); }));
    ex->Yield();
    EXPECT_EQ(ex->pending_timers(), 1000u);
    ev.Set();
    EXPECT_EQ(ex->pending_timers(), 0u);  // woken waits leave the heap at once
    for (auto& h : hs) ex->Join(h);
  });
  EXPECT_EQ(ex->stats().timers_fired, 0u);
}

}  // namespace
}  // namespace benchfs

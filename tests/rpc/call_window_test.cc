// SPDX-License-Identifier: BSD-3-Clause
// CallWindow: unlimited until a BUSY answer, halved once per round of calls,
// grown by served calls, and calls beyond it wait first come, first served
// within their deadline.
#include <vector>

#include <gtest/gtest.h>

#include "rpc/call_window.h"
#include "runtime/executor.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using Outcome = CallWindow::Outcome;

std::unique_ptr<Executor> NewExecutor() {
  auto ex = Executor::Create({});
  EXPECT_TRUE(ex.ok()) << ex.status().ToString();
  return std::move(ex.value());
}

TEST(CallWindow, UnlimitedUntilTheFirstBusyThenHalvedOncePerRound) {
  auto ex = NewExecutor();
  CallWindow w;
  ex->Run([&] {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(w.Acquire(*ex, {}));
    EXPECT_EQ(w.waited(), 0u);
    // Calls 1..100 were sent; the first BUSY answer halves the window to
    // half of what was in flight, later answers of the same round do not.
    w.Release(*ex, Outcome::kBusy, 1, 100);
    EXPECT_DOUBLE_EQ(w.window(), 50.0);
    for (uint64_t seq = 2; seq <= 60; ++seq) w.Release(*ex, Outcome::kBusy, seq, 100);
    EXPECT_DOUBLE_EQ(w.window(), 50.0);
    EXPECT_EQ(w.decreases(), 1u);
    // A call sent after the decrease and answered BUSY starts a new round.
    w.Release(*ex, Outcome::kBusy, 101, 101);
    EXPECT_DOUBLE_EQ(w.window(), 20.0);  // min(50, 40 in flight) / 2
    // Served calls grow it by 1/window each; failures leave it alone.
    const double before = w.window();
    w.Release(*ex, Outcome::kServed, 102, 102);
    EXPECT_DOUBLE_EQ(w.window(), before + 1 / before);
    const double after = w.window();
    w.Release(*ex, Outcome::kFailed, 103, 103);
    EXPECT_DOUBLE_EQ(w.window(), after);
    while (w.inflight() > 0) w.Release(*ex, Outcome::kFailed, 104, 104);
  });
}

TEST(CallWindow, CallsBeyondTheWindowWaitInOrderAndTimeOut) {
  auto ex = NewExecutor();
  CallWindow w;
  std::vector<int> order;
  ex->Run([&] {
    ASSERT_TRUE(w.Acquire(*ex, {}));
    ASSERT_TRUE(w.Acquire(*ex, {}));
    w.Release(*ex, Outcome::kBusy, 1, 2);  // window 1, one call in flight
    ASSERT_DOUBLE_EQ(w.window(), 1.0);
    std::vector<FiberHandle> fibers;
    for (int i = 0; i < 3; ++i) {
      fibers.push_back(ex->Spawn([&, i] {
        if (w.Acquire(*ex, WaitOptions::For(10s))) {
          order.push_back(i);
          ex->SleepFor(1ms);
          w.Release(*ex, Outcome::kFailed, 10, 10);
        }
      }));
    }
    ex->SleepFor(5ms);
    EXPECT_EQ(w.waiting(), 3u);
    bool timed_out = false;
    FiberHandle late = ex->Spawn([&] { timed_out = !w.Acquire(*ex, WaitOptions::For(20ms)); });
    ex->Join(late);
    EXPECT_TRUE(timed_out) << "a call that cannot get a slot must give up at its deadline";
    w.Release(*ex, Outcome::kFailed, 2, 10);  // frees the slot: handed to the first waiter
    for (auto& f : fibers) ex->Join(f);
  });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(w.inflight(), 0u);
}

TEST(CallWindow, ReleaseAllLetsEveryWaiterThrough) {
  auto ex = NewExecutor();
  CallWindow w;
  int through = 0;
  ex->Run([&] {
    ASSERT_TRUE(w.Acquire(*ex, {}));
    ASSERT_TRUE(w.Acquire(*ex, {}));
    w.Release(*ex, Outcome::kBusy, 1, 2);
    std::vector<FiberHandle> fibers;
    for (int i = 0; i < 5; ++i) {
      fibers.push_back(ex->Spawn([&] {
        if (w.Acquire(*ex, WaitOptions::For(10s))) ++through;
      }));
    }
    ex->SleepFor(2ms);
    w.ReleaseAll(*ex);
    for (auto& f : fibers) ex->Join(f);
  });
  EXPECT_EQ(through, 5);
  EXPECT_EQ(w.inflight(), 6u);
}

}  // namespace
}  // namespace benchfs

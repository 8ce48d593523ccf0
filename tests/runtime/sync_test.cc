// SPDX-License-Identifier: BSD-3-Clause
// Event, Semaphore, Channel and Cancellation: blocking, deadlines,
// cancellation and backpressure between fibers.
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/channel.h"
#include "runtime/event.h"
#include "runtime/semaphore.h"
#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;

TEST(Event, WaitBlocksUntilSet) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  std::vector<int> order;
  ex->Run([&] {
    Event ev(*ex);
    auto w1 = ex->Spawn([&] { EXPECT_TRUE(ev.Wait()); order.push_back(1); });
    auto w2 = ex->Spawn([&] { EXPECT_TRUE(ev.Wait()); order.push_back(2); });
    ex->Yield();
    EXPECT_TRUE(order.empty());
    order.push_back(0);
    ev.Set();
    ex->Join(w1);
    ex->Join(w2);
    EXPECT_TRUE(ev.Wait());  // already set: no block
  });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(Event, WaitTimesOut) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Event ev(*ex);
    TimePoint t0 = Now();
    EXPECT_FALSE(ev.Wait(WaitOptions::For(2ms)));
    EXPECT_GE(Now() - t0, 2ms);
  });
}

TEST(Event, RelativeTimeoutStartsWhenTheWaitDoes) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Event ev(*ex);
    const WaitOptions w = WaitOptions::Within(3ms);
    ex->SleepFor(5ms);  // longer than the timeout: it has not started yet
    TimePoint t0 = Now();
    EXPECT_FALSE(ev.Wait(w));
    EXPECT_GE(Now() - t0, 3ms);
    ev.Set();
    EXPECT_TRUE(ev.Wait(WaitOptions::Within(1h)));
  });
}

TEST(Event, WaitIsCancelled) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Event ev(*ex);
    Cancellation c(*ex);
    bool result = true;
    auto w = ex->Spawn([&] { result = ev.Wait({kNoDeadline, &c}); });
    ex->Yield();
    c.Cancel();
    ex->Join(w);
    EXPECT_FALSE(result);
    // Already cancelled: returns at once.
    EXPECT_FALSE(ev.Wait({kNoDeadline, &c}));
  });
}

TEST(Semaphore, BoundsConcurrency) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  int inside = 0;
  int max_inside = 0;
  ex->Run([&] {
    Semaphore sem(*ex, 3);
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 20; ++i) {
      hs.push_back(ex->Spawn([&] {
        ASSERT_TRUE(sem.Acquire());
        ++inside;
        max_inside = std::max(max_inside, inside);
        ex->Yield();
        ex->Yield();
        --inside;
        sem.Release();
      }));
    }
    for (auto& h : hs) ex->Join(h);
    EXPECT_EQ(sem.available(), 3u);
  });
  EXPECT_EQ(max_inside, 3);
}

TEST(Semaphore, AcquireTimesOutAndReleaseOfManyWakesMany) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Semaphore sem(*ex, 0);
    EXPECT_FALSE(sem.Acquire(WaitOptions::For(1ms)));
    int got = 0;
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 4; ++i) hs.push_back(ex->Spawn([&] { if (sem.Acquire()) ++got; }));
    ex->Yield();
    sem.Release(4);
    for (auto& h : hs) ex->Join(h);
    EXPECT_EQ(got, 4);
    EXPECT_EQ(sem.available(), 0u);
  });
}

TEST(Channel, BoundedSendBlocksUntilReceived) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Channel<int> ch(*ex, 2);
    int sent = 0;
    auto producer = ex->Spawn([&] {
      for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(ch.Send(i).ok());
        ++sent;
      }
      ch.Close();
    });
    ex->Yield();
    EXPECT_EQ(sent, 2);  // capacity reached: the producer is blocked
    EXPECT_EQ(ch.size(), 2u);
    std::vector<int> got;
    while (auto v = ch.Recv()) got.push_back(*v);
    ex->Join(producer);
    ASSERT_EQ(got.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i], i);
  });
}

TEST(Channel, CloseFailsSendersAndDrainsReceivers) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Channel<std::string> ch(*ex, 1);
    ASSERT_TRUE(ch.Send("a").ok());
    Status blocked_send;
    auto s = ex->Spawn([&] { blocked_send = ch.Send("b"); });
    ex->Yield();
    ch.Close();
    ex->Join(s);
    EXPECT_EQ(blocked_send.code(), StatusCode::kCancelled);
    EXPECT_EQ(ch.Send("c").code(), StatusCode::kCancelled);
    auto v = ch.Recv();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, "a");
    EXPECT_FALSE(ch.Recv().has_value());
  });
}

TEST(Channel, RecvTimesOut) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    Channel<int> ch(*ex, 4);
    EXPECT_FALSE(ch.Recv(WaitOptions::For(1ms)).has_value());
    int v = 5;
    EXPECT_TRUE(ch.TrySend(v));
    EXPECT_EQ(ch.TryRecv().value_or(-1), 5);
  });
}

}  // namespace
}  // namespace benchfs

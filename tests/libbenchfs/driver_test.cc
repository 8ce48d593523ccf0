// SPDX-License-Identifier: BSD-3-Clause
// Driver (libbenchfs/driver.h): a call runs on its caller's thread when the
// executor is free; a call made while another thread drives runs under that
// driver; a call a driver leaves behind is finished by the library's thread;
// inline work runs only with the executor free; and many threads calling at
// once lose no call and no wake-up.
#include "libbenchfs/driver.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/executor.h"

namespace benchfs::capi {
namespace {

using namespace std::chrono_literals;

// The calling thread's id. Not std::this_thread::get_id(): pthread_self() is
// a const function, and the compiler may reuse its value across a fiber's
// wait, during which the fiber can move to another thread.
pid_t Tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

std::unique_ptr<Executor> AnyThreadExecutor() {
  ExecutorConfig cfg;
  cfg.any_thread = true;
  return testing::MakeExecutor(cfg);
}

// Runs `body` through the driver and returns once it has finished.
void CallAndWait(Driver& d, const std::function<void()>& body) {
  Completion done;
  d.Call(
      [&] {
        body();
        done.Signal();
      },
      done);
}

// True once thread `tid` of this process sleeps (state S: a futex wait
// here), false if it has not within 10 s.
bool WaitUntilAsleep(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
  for (int i = 0; i < 10000; ++i) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    const size_t paren = line.rfind(')');
    if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'S') return true;
    std::this_thread::sleep_for(1ms);
  }
  return false;
}

TEST(Driver, ACallRunsOnItsCallersThread) {
  auto ex = AnyThreadExecutor();
  ASSERT_TRUE(ex);
  Driver d(*ex, 100ms);
  pid_t ran_on = 0;
  CallAndWait(d, [&] {
    ex->Yield();
    ran_on = Tid();
  });
  EXPECT_EQ(ran_on, Tid());
  EXPECT_EQ(d.driven_calls(), 1u);
  EXPECT_EQ(d.handed_calls(), 0u);
}

TEST(Driver, ACallMadeWhileAnotherThreadDrivesRunsUnderThatDriver) {
  auto ex = AnyThreadExecutor();
  ASSERT_TRUE(ex);
  Driver d(*ex, 100ms);
  std::atomic<bool> a_inside{false};
  std::atomic<bool> b_done{false};
  pid_t a_thread = 0, b_ran_on = 0;
  bool a_saw_b = false;
  std::thread a([&] {
    a_thread = Tid();
    CallAndWait(d, [&] {
      a_inside = true;
      // Drives (sleeping 1 ms at a time) until B's call has run here.
      for (int i = 0; i < 10000 && !b_done; ++i) ex->SleepFor(1ms);
      a_saw_b = b_done;
    });
  });
  while (!a_inside) std::this_thread::sleep_for(100us);
  CallAndWait(d, [&] {
    b_ran_on = Tid();
    b_done = true;
  });
  a.join();
  EXPECT_TRUE(a_saw_b);
  EXPECT_EQ(b_ran_on, a_thread);
  EXPECT_EQ(d.handed_calls(), 1u);
}

TEST(Driver, TheLibrarysThreadFinishesACallADriverLeavesBehind) {
  auto ex = AnyThreadExecutor();
  ASSERT_TRUE(ex);
  Driver d(*ex, 100ms);
  std::atomic<bool> a_inside{false};
  std::atomic<pid_t> b_tid{0};
  pid_t a_thread = 0, b_started_on = 0, b_ended_on = 0;
  std::thread a([&] {
    a_thread = Tid();
    CallAndWait(d, [&] {
      a_inside = true;
      // Leaves only once B has handed its call over and sleeps on it.
      for (int i = 0; i < 10000 && d.handed_calls() == 0; ++i) ex->SleepFor(1ms);
      while (b_tid == 0) ex->SleepFor(1ms);
      ASSERT_TRUE(WaitUntilAsleep(b_tid));
      ex->Yield();  // B's fiber starts here and waits
    });
  });
  while (!a_inside) std::this_thread::sleep_for(100us);
  std::thread b([&] {
    b_tid = Tid();
    CallAndWait(d, [&] {
      b_started_on = Tid();
      ex->SleepFor(20ms);  // A leaves meanwhile
      b_ended_on = Tid();
    });
  });
  a.join();
  b.join();
  EXPECT_EQ(d.handed_calls(), 1u);
  EXPECT_EQ(b_started_on, a_thread);
  EXPECT_NE(b_ended_on, a_thread);
  EXPECT_NE(b_ended_on, b_tid.load());  // the library's own thread
}

TEST(Driver, InlineWorkRunsOnlyWhenNoOtherThreadDrives) {
  auto ex = AnyThreadExecutor();
  ASSERT_TRUE(ex);
  Driver d(*ex, 100ms);
  pid_t ran_on = 0;
  EXPECT_TRUE(d.TryInline([&] {
    ran_on = Tid();
    return true;
  }));
  EXPECT_EQ(ran_on, Tid());
  EXPECT_FALSE(d.TryInline([] { return false; })) << "work that needs a wait says so";
  std::atomic<bool> inside{false}, release{false};
  std::thread a([&] {
    CallAndWait(d, [&] {
      inside = true;
      while (!release) ex->SleepFor(1ms);
    });
  });
  while (!inside) std::this_thread::sleep_for(100us);
  bool ran = false;
  EXPECT_FALSE(d.TryInline([&] {
    ran = true;
    return true;
  }));
  EXPECT_FALSE(ran) << "another thread drives: nothing runs here";
  release = true;
  a.join();
  EXPECT_TRUE(d.TryInline([] { return true; }));
}

TEST(Driver, ManyThreadsCallingAtOnceLoseNoCall) {
  auto ex = AnyThreadExecutor();
  ASSERT_TRUE(ex);
  auto d = std::make_unique<Driver>(*ex, 1ms);  // maintenance ticks race with the callers too
  constexpr int kThreads = 4;
  constexpr int kCalls = 3000;
  std::atomic<int> ran{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        int mine = 0;
        CallAndWait(*d, [&] {
          if ((i + t) % 3 == 0) ex->Yield();
          if ((i + t) % 101 == 0) ex->SleepFor(50us);
          ++mine;
        });
        ASSERT_EQ(mine, 1);
        ran.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ran.load(), kThreads * kCalls);
  EXPECT_EQ(d->driven_calls() + d->handed_calls(), static_cast<uint64_t>(kThreads * kCalls));
  d.reset();  // no thread drives from here on
  EXPECT_EQ(ex->live_fibers(), 0u);
}

}  // namespace
}  // namespace benchfs::capi

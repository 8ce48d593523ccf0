// SPDX-License-Identifier: BSD-3-Clause
// Executor basics: spawn/join, yield order, sleeping, cross-thread posts,
// stack reuse, unwinding of fibers still alive at destruction, and a loop
// that several threads drive in turn.
#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/uring_reactor.h"

#include "runtime/event.h"
#include "runtime/executor.h"
#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;

TEST(Executor, RunReturnsWhenMainReturns) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  bool ran = false;
  ex->Run([&] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_EQ(ex->live_fibers(), 0u);
}

TEST(Executor, SpawnJoinRunsEveryFiber) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  std::vector<int> done;
  ex->Run([&] {
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 100; ++i) hs.push_back(ex->Spawn([&, i] { done.push_back(i); }));
    for (auto& h : hs) ex->Join(h);
  });
  ASSERT_EQ(done.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(done[i], i);  // FIFO start order
}

TEST(Executor, JoinOnFinishedFiberReturnsAtOnce) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    FiberHandle h = ex->Spawn([] {});
    ex->Yield();
    EXPECT_TRUE(h.done());
    ex->Join(h);
    // The record is reused by the next spawn; the old handle stays done.
    FiberHandle h2 = ex->Spawn([&] { ex->Yield(); });
    EXPECT_TRUE(h.done());
    EXPECT_FALSE(h2.done());
    ex->Join(h2);
    EXPECT_TRUE(h2.done());
  });
}

TEST(Executor, YieldInterleavesFibers) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  std::string trace;
  ex->Run([&] {
    auto a = ex->Spawn([&] {
      for (int i = 0; i < 3; ++i) { trace += 'a'; ex->Yield(); }
    });
    auto b = ex->Spawn([&] {
      for (int i = 0; i < 3; ++i) { trace += 'b'; ex->Yield(); }
    });
    ex->Join(a);
    ex->Join(b);
  });
  EXPECT_EQ(trace, "ababab");
}

TEST(Executor, SleepForWaitsAtLeastTheDuration) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    TimePoint t0 = Now();
    ex->SleepFor(3ms);
    EXPECT_GE(Now() - t0, 3ms);
  });
}

TEST(Executor, StacksAreReused) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    for (int round = 0; round < 50; ++round) {
      std::vector<FiberHandle> hs;
      for (int i = 0; i < 10; ++i) hs.push_back(ex->Spawn([] {}));
      for (auto& h : hs) ex->Join(h);
    }
  });
  // 10 concurrent fibers + main: at most 11 stacks ever mapped for 501 spawns.
  EXPECT_LE(ex->stack_pool().mapped(), 11u);
  EXPECT_EQ(ex->stats().fibers_spawned, 501u);
}

TEST(Executor, DeepStackUseWithinConfiguredSize) {
  ExecutorConfig cfg;
  cfg.stack_size = 256 * 1024;
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  int sum = 0;
  ex->Run([&] {
    volatile char big[128 * 1024];
    for (size_t i = 0; i < sizeof(big); i += 4096) big[i] = static_cast<char>(1 + i / 4096);
    for (size_t i = 0; i < sizeof(big); i += 4096) sum += big[i];
  });
  EXPECT_NE(sum, 0);
}

struct Sentinel {
  int* counter;
  ~Sentinel() { ++*counter; }
};

TEST(Executor, LiveFibersAreUnwoundOnDestruction) {
  int destroyed = 0;
  {
    auto ex = MakeExecutor();
    ASSERT_TRUE(ex);
    auto ev = std::make_unique<Event>(*ex);
    ex->Run([&] {
      ex->Spawn([&] {
        Sentinel s{&destroyed};
        ev->Wait();  // never set
      });
      ex->Spawn([&] {
        Sentinel s{&destroyed};
        ex->SleepFor(1h);
      });
      ex->Yield();
      ex->Spawn([&] { Sentinel s{&destroyed}; });  // never gets to run
    });
    EXPECT_EQ(ex->live_fibers(), 3u);
    ex.reset();
  }
  EXPECT_EQ(destroyed, 2);  // the never-started fiber had no Sentinel to destroy
}

// Suspended in Yield (ready), in a Join, and deep in nested frames: every
// started fiber is unwound innermost frame first, and its stack goes back.
TEST(Executor, SuspendedFibersUnwindInnermostFrameFirst) {
  std::vector<std::string> order;
  struct Named {
    std::vector<std::string>* order;
    std::string name;
    ~Named() { order->push_back(name); }
  };
  size_t mapped = 0;
  {
    auto ex = MakeExecutor();
    ASSERT_TRUE(ex);
    ex->Run([&] {
      FiberHandle sleeper = ex->Spawn([&] {
        Named outer{&order, "sleeper.outer"};
        [&] {
          Named inner{&order, "sleeper.inner"};
          ex->SleepFor(1h);
        }();
      });
      ex->Spawn([&] {
        Named j{&order, "joiner"};
        ex->Join(sleeper);
      });
      ex->Spawn([&] {
        Named y{&order, "yielder"};
        for (;;) ex->Yield();
      });
      ex->Yield();
      ex->Yield();
    });
    EXPECT_EQ(ex->live_fibers(), 3u);
    mapped = ex->stack_pool().mapped();
    ex.reset();
  }
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order[0], "sleeper.inner");
  EXPECT_EQ(order[1], "sleeper.outer");
  EXPECT_EQ(mapped, 4u);  // main + 3; the executor unmapped them all on the way
  EXPECT_NE(std::find(order.begin(), order.end(), "joiner"), order.end());
  EXPECT_NE(std::find(order.begin(), order.end(), "yielder"), order.end());
}

TEST(Executor, FiberExceptionsAreCaughtOnTheirOwnStack) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  std::vector<std::string> caught;
  ex->Run([&] {
    auto thrower = [&](std::string name) {
      return [&, name] {
        std::string what;
        try {
          ex->Yield();  // the other fiber runs between try and throw
          throw std::runtime_error(name);
        } catch (const std::runtime_error& e) {
          what = e.what();  // no switch inside a handler (see Fiber)
        }
        ex->Yield();  // the other fiber runs between the catch and the end
        caught.push_back(what);
      };
    };
    FiberHandle a = ex->Spawn(thrower("a"));
    FiberHandle b = ex->Spawn(thrower("b"));
    ex->Join(a);
    ex->Join(b);
  });
  EXPECT_EQ(caught, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ex->live_fibers(), 0u);
}

TEST(Executor, EndedFibersReturnTheirStacksToThePool) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  size_t cached = 0;
  size_t mapped = 0;
  ex->Run([&] {
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 8; ++i) hs.push_back(ex->Spawn([&] { ex->Yield(); }));
    for (auto& h : hs) ex->Join(h);
    cached = ex->stack_pool().cached();
    mapped = ex->stack_pool().mapped();
  });
  EXPECT_EQ(mapped, 9u);  // main + 8
  EXPECT_EQ(cached, 8u);  // every stack but main's, released by whoever the ended fiber switched to
  EXPECT_EQ(ex->live_fibers(), 0u);
}

TEST(Executor, PostFromAnotherThreadRunsOnExecutor) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  std::atomic<int> posted{0};
  std::thread::id loop_thread;
  std::thread::id post_thread;
  ex->Run([&] {
    Event ev(*ex);
    loop_thread = std::this_thread::get_id();
    std::thread t([&] {
      for (int i = 0; i < 1000; ++i) ex->Post([&] { posted.fetch_add(1); });
      ex->Post([&] {
        post_thread = std::this_thread::get_id();
        ev.Set();
      });
    });
    ev.Wait();
    t.join();
  });
  EXPECT_EQ(posted.load(), 1000);
  EXPECT_EQ(post_thread, loop_thread);
  EXPECT_EQ(ex->stats().remote_posts, 1001u);
}

// A post reaches an executor parked in the kernel through its eventfd, not
// its watchdog slice (complete_timeout, set far beyond the bound here), also
// when the post races with the executor's decision to park.
TEST(Executor, PostWakesAParkedExecutor) {
  ExecutorConfig cfg;
  cfg.complete_timeout = 5s;
  cfg.idle_spin = 0s;
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  std::atomic<int> served{0};
  Duration slowest{0};
  ex->Run([&] {
    Event done(*ex);
    std::thread t([&] {
      for (int i = 0; i < 200; ++i) {
        // Every few posts the executor has had time to park; the others race with it.
        if (i % 20 == 0) std::this_thread::sleep_for(20ms);
        const TimePoint sent = Now();
        ex->Post([&] { served.fetch_add(1); });
        while (served.load() <= i && Now() - sent < 2s) std::this_thread::yield();
        slowest = std::max(slowest, Now() - sent);
        if (slowest >= 1s) break;
      }
      ex->Post([&] { done.Set(); });
    });
    done.Wait();
    t.join();
  });
  EXPECT_LT(slowest, 1s) << "a post waited for the watchdog: the parked executor was not woken";
}

TEST(Executor, RunCanBeCalledAgain) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  int n = 0;
  for (int i = 0; i < 3; ++i) ex->Run([&] { ++n; ex->Yield(); });
  EXPECT_EQ(n, 3);
}

TEST(Executor, StopEndsRunEarly) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  int iterations = 0;
  ex->Run([&] {
    ex->Spawn([&] { ex->Stop(); });
    for (;;) {
      ++iterations;
      ex->Yield();
      if (iterations > 1000) break;
    }
  });
  EXPECT_LT(iterations, 1000);
}

TEST(Executor, DriveRunsAtLeastOneTickAndStopsWhenDone) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  int ran = 0;
  ex->Spawn([&] { ++ran; });
  ex->Drive([] { return true; });
  EXPECT_EQ(ran, 1);
  int steps = 0;
  ex->Spawn([&] {
    for (int i = 0; i < 5; ++i) {
      ++steps;
      ex->Yield();
    }
  });
  ex->Drive([&] { return ex->live_fibers() == 0; });
  EXPECT_EQ(steps, 5);
}

// A fiber that waits while one thread drives the loop resumes while another
// drives it, and its ring operations work from both: the loop of an
// any_thread executor does not belong to the thread that built it.
TEST(Executor, AnyThreadLoopMovesAWaitingFiberBetweenDrivers) {
  ExecutorConfig cfg;
  cfg.any_thread = true;
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  // Thread ids by system call: pthread_self() is a const function whose
  // value the compiler may keep across the fiber's wait.
  auto tid = [] { return static_cast<pid_t>(::syscall(SYS_gettid)); };
  pid_t before = 0, after = 0;
  int nops = 0;
  std::atomic<bool> waiting{false};
  Event go(*ex);
  ex->Spawn([&] {
    before = tid();
    if (ex->uring().Nop().ok()) ++nops;
    waiting = true;
    go.Wait();
    after = tid();
    if (ex->uring().Nop().ok()) ++nops;
  });
  pid_t first_id = 0, second_id = 0;
  std::thread first([&] {
    first_id = tid();
    ex->Drive([&] { return waiting.load(); });
  });
  first.join();
  std::thread second([&] {
    second_id = tid();
    go.Set();
    ex->Drive([&] { return ex->live_fibers() == 0; });
  });
  second.join();
  EXPECT_EQ(before, first_id);
  EXPECT_EQ(after, second_id);
  EXPECT_EQ(nops, 2);
}

}  // namespace
}  // namespace benchfs

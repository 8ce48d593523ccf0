// SPDX-License-Identifier: BSD-3-Clause
// Cancelling and timing out in-flight reads. The reads target an empty pipe,
// so they stay in the kernel until cancelled. The operation keeps its buffer
// until the kernel's completion arrives; built with -DBENCHFS_SANITIZE=address
// this test proves there is no use-after-free or leak on those paths.
#include <unistd.h>

#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;

class Pipe {
 public:
  Pipe() { EXPECT_EQ(::pipe(fds_), 0); }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int r() const { return fds_[0]; }
  int w() const { return fds_[1]; }

 private:
  int fds_[2];
};

TEST(Cancellation, ReadTimesOutAndBufferStaysWithTheKernel) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  Pipe p;
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    TimePoint t0 = Now();
    auto r = ex->uring().Read(p.r(), buf, 4096, 0, WaitOptions::For(5ms));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kTimedOut);
    EXPECT_NE(r.status().message().find("deadline"), std::string::npos);
    EXPECT_GE(Now() - t0, 5ms);
    EXPECT_TRUE(buf.empty());  // the slot owns it until the kernel lets go
    // The async-cancel completes the read; the slot is then freed.
    for (int i = 0; i < 1000 && ex->uring().inflight() > 0; ++i) ex->SleepFor(100us);
    EXPECT_EQ(ex->uring().inflight(), 0u);
  });
  EXPECT_EQ(ex->stats().cancels, 1u);
  EXPECT_EQ(ex->stats().stray_cqes, 0u);
}

TEST(Cancellation, ExplicitCancelWakesReaderWithCancelled) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  Pipe p;
  ex->Run([&] {
    Cancellation c(*ex);
    Status result;
    auto reader = ex->Spawn([&] {
      IoBuffer buf = IoBuffer::Allocate(128);
      auto r = ex->uring().Read(p.r(), buf, 128, 0, {kNoDeadline, &c});
      result = r.status();
    });
    ex->SleepFor(1ms);
    EXPECT_FALSE(reader.done());
    c.Cancel();
    ex->Join(reader);
    EXPECT_EQ(result.code(), StatusCode::kCancelled);
    for (int i = 0; i < 1000 && ex->uring().inflight() > 0; ++i) ex->SleepFor(100us);
    EXPECT_EQ(ex->uring().inflight(), 0u);
  });
}

TEST(Cancellation, ManyTimedOutReadsThenDataStillFlows) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  Pipe p;
  int timed_out = 0;
  ex->Run([&] {
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 64; ++i) {
      hs.push_back(ex->Spawn([&] {
        IoBuffer buf = IoBuffer::Allocate(64);
        auto r = ex->uring().Read(p.r(), buf, 64, 0, WaitOptions::For(2ms));
        if (r.status().code() == StatusCode::kTimedOut) ++timed_out;
      }));
    }
    for (auto& h : hs) ex->Join(h);
    for (int i = 0; i < 1000 && ex->uring().inflight() > 0; ++i) ex->SleepFor(100us);
    EXPECT_EQ(ex->uring().inflight(), 0u);
    // A fresh read after all that still gets the bytes written.
    ASSERT_EQ(::write(p.w(), "hello", 5), 5);
    IoBuffer buf = IoBuffer::Allocate(64);
    auto r = ex->uring().Read(p.r(), buf, 64, 0, WaitOptions::For(1s));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(*r, 5u);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buf.data()), 5), "hello");
  });
  EXPECT_EQ(timed_out, 64);
}

TEST(Cancellation, CompletionRacingTheDeadlineReturnsTheResult) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  Pipe p;
  ASSERT_EQ(::write(p.w(), "abc", 3), 3);
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(16);
    // Data is already there: the read completes even with a deadline in the past.
    auto r = ex->uring().Read(p.r(), buf, 16, 0, WaitOptions::Until(Now()));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 3u);
    EXPECT_FALSE(buf.empty());
  });
}

TEST(Cancellation, ExecutorDestroyedWithReadsInFlight) {
  Pipe p;
  {
    auto ex = MakeExecutor();
    ASSERT_TRUE(ex);
    ex->Run([&] {
      for (int i = 0; i < 16; ++i) {
        ex->Spawn([&] {
          IoBuffer buf = IoBuffer::Allocate(4096);
          auto r = ex->uring().Read(p.r(), buf, 4096, 0);
          ADD_FAILURE() << "read returned during teardown: " << r.status().ToString();
        });
      }
      ex->SleepFor(1ms);
      EXPECT_EQ(ex->uring().inflight(), 16u);
    });
    // Destruction unwinds the 16 fibers, cancels their reads and waits for the
    // kernel before the buffers are freed.
  }
  // No read is left pending in the kernel: a byte written now stays in the pipe.
  ASSERT_EQ(::write(p.w(), "x", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(p.r(), &c, 1), 1);
  EXPECT_EQ(c, 'x');
}

}  // namespace
}  // namespace benchfs

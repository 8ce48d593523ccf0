// SPDX-License-Identifier: BSD-3-Clause
// UringReactor::WriteDurable (a write linked to an fdatasync) and UnlinkAt:
// results on every ring setup, the short write that breaks the link, errors,
// and a timed-out pair that leaves no slot or buffer behind.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;
using testing::ScratchFile;

class WriteDurable : public ::testing::TestWithParam<RingSetup> {
 protected:
  void SetUp() override {
    ExecutorConfig cfg;
    cfg.ring_setup = GetParam();
    ex_ = MakeExecutor(cfg);
    ASSERT_TRUE(ex_);
  }
  UringReactor& uring() { return ex_->uring(); }
  std::unique_ptr<Executor> ex_;
};

TEST_P(WriteDurable, WritesAllBytesAndHandsTheBufferBack) {
  ScratchFile f(0);
  ASSERT_GE(f.fd(), 0);
  ASSERT_TRUE(uring().RegisterBuffers(2, 8192).ok());
  ex_->Run([&] {
    IoBuffer heap = IoBuffer::Allocate(8192);
    std::memset(heap.data(), 'h', 8192);
    auto r = uring().WriteDurable(f.fd(), heap, 8192, 4096);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 8192u);
    EXPECT_FALSE(heap.empty());

    auto ff = uring().RegisterFile(f.fd());
    ASSERT_TRUE(ff.ok()) << ff.status().ToString();
    auto reg = uring().buffers()->Acquire();
    ASSERT_TRUE(reg.ok());
    std::memset(reg->data(), 'r', 4096);
    auto r2 = uring().WriteDurable(*ff, *reg, 4096, 0);  // WRITE_FIXED on a fixed file
    ASSERT_TRUE(r2.ok()) << r2.status().ToString();
    EXPECT_EQ(*r2, 4096u);
    EXPECT_GE(reg->registered_index(), 0);
  });
  char c[3];
  ASSERT_EQ(::pread(f.fd(), &c[0], 1, 0), 1);
  ASSERT_EQ(::pread(f.fd(), &c[1], 1, 4096), 1);
  ASSERT_EQ(::pread(f.fd(), &c[2], 1, 12287), 1);
  EXPECT_EQ(c[0], 'r');
  EXPECT_EQ(c[1], 'h');
  EXPECT_EQ(c[2], 'h');
  EXPECT_EQ(ex_->stats().stray_cqes, 0u);
  EXPECT_EQ(uring().inflight(), 0u);
}

TEST_P(WriteDurable, ErrorsCarryErrnoAndReturnTheBuffer) {
  ex_->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    auto r = uring().WriteDurable(-1, buf, 4096, 0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().sys_errno(), EBADF);
    EXPECT_FALSE(buf.empty());
    auto big = uring().WriteDurable(-1, buf, 8192, 0);
    EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
  });
  EXPECT_EQ(ex_->stats().stray_cqes, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllRingSetups, WriteDurable,
                         ::testing::Values(RingSetup::kNone, RingSetup::kCoopTaskrun,
                                           RingSetup::kSingleIssuerDeferTaskrun, RingSetup::kSqpoll),
                         [](const auto& info) { return std::string(RingSetupName(info.param)); });

// RLIMIT_FSIZE makes the kernel write only up to the limit: a short write,
// which fails the link, so the fdatasync completes with ECANCELED.
TEST(WriteDurableShort, ShortWriteIsSyncedAndReported) {
  ScratchFile f(0);
  ASSERT_GE(f.fd(), 0);
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  struct sigaction ign{}, prev{};
  ign.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ign, &prev), 0);
  rlimit lim = old;
  lim.rlim_cur = 6000;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(8192);
    std::memset(buf.data(), 's', 8192);
    auto r = ex->uring().WriteDurable(f.fd(), buf, 8192, 0);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 6000u);
    EXPECT_FALSE(buf.empty());
    // Writing the rest past the limit fails with the write's own errno.
    auto rest = ex->uring().WriteDurable(f.fd(), buf, 2192, 6000);
    ASSERT_FALSE(rest.ok());
    EXPECT_EQ(rest.status().sys_errno(), EFBIG);
    EXPECT_NE(rest.status().message().find("write"), std::string::npos);
  });
  setrlimit(RLIMIT_FSIZE, &old);
  sigaction(SIGXFSZ, &prev, nullptr);
  EXPECT_EQ(::lseek(f.fd(), 0, SEEK_END), 6000);
  EXPECT_EQ(ex->stats().stray_cqes, 0u);
  EXPECT_EQ(ex->uring().inflight(), 0u);
}

// A write into a full pipe never completes: the pair times out, the caller
// gets TIMED_OUT at once and the slots keep the buffer until the kernel's
// (cancelled) completions arrive.
TEST(WriteDurableTimeout, TimedOutPairIsCancelledAndFreed) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_NONBLOCK), 0);
  char junk[4096] = {};
  while (::write(p[1], junk, sizeof(junk)) > 0) {
  }
  ASSERT_EQ(fcntl(p[1], F_SETFL, 0), 0);  // blocking again: io_uring waits for room
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    auto r = ex->uring().WriteDurable(p[1], buf, 4096, 0, WaitOptions::For(5ms));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kTimedOut);
    EXPECT_TRUE(buf.empty());  // still owned by the in-flight slot
    for (int i = 0; i < 100 && ex->uring().inflight() > 0; ++i) ex->SleepFor(1ms);
    EXPECT_EQ(ex->uring().inflight(), 0u);
    EXPECT_TRUE(ex->uring().Nop().ok());
  });
  EXPECT_EQ(ex->stats().stray_cqes, 0u);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(UnlinkAt, RemovesAndReportsMissingPath) {
  ScratchFile f(0);
  const std::string path = f.path() + ".unlink";
  ASSERT_EQ(::close(::open(path.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ex->Run([&] {
    EXPECT_TRUE(ex->uring().UnlinkAt(AT_FDCWD, path, 0).ok());
    Status again = ex->uring().UnlinkAt(AT_FDCWD, path, 0);
    EXPECT_EQ(again.code(), StatusCode::kNotFound);
    EXPECT_NE(again.message().find(path), std::string::npos);
  });
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace benchfs

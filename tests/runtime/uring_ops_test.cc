// SPDX-License-Identifier: BSD-3-Clause
// Every io_uring operation the reactor offers, on every ring setup: results,
// errors, registered buffers and fixed files.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;
using testing::ScratchFile;

class UringOps : public ::testing::TestWithParam<RingSetup> {
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

TEST_P(UringOps, NopCompletes) {
  ex_->Run([&] {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(uring().Nop().ok());
  });
  EXPECT_EQ(ex_->stats().stray_cqes, 0u);
  EXPECT_GE(ex_->stats().cqes_reaped, 100u);
}

TEST_P(UringOps, ReadReturnsFileBytes) {
  ScratchFile f(64 * 1024);
  ASSERT_GE(f.fd(), 0);
  ex_->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    auto r = uring().Read(f.fd(), buf, 4096, 8192);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 4096u);
    ASSERT_FALSE(buf.empty());  // handed back after completion
    for (size_t i = 0; i < 4096; ++i)
      ASSERT_EQ(static_cast<unsigned char>(buf.data()[i]), ScratchFile::Pattern(8192 + i));
    // Short read at the end of the file.
    auto tail = uring().Read(f.fd(), buf, 4096, 64 * 1024 - 100);
    ASSERT_TRUE(tail.ok());
    EXPECT_EQ(*tail, 100u);
  });
}

TEST_P(UringOps, ReadLongerThanBufferIsRefused) {
  ScratchFile f(4096);
  ex_->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(512);
    auto r = uring().Read(f.fd(), buf, 4096, 0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(buf.empty());
  });
}

TEST_P(UringOps, ErrorsCarryErrno) {
  ex_->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    auto r = uring().Read(-1, buf, 4096, 0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().sys_errno(), EBADF);
    EXPECT_NE(r.status().message().find("io_uring read"), std::string::npos);
    EXPECT_FALSE(buf.empty());  // failed operations also hand the buffer back
    auto o = uring().OpenAt(AT_FDCWD, "/nonexistent/benchfs", O_RDONLY, 0);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.status().code(), StatusCode::kNotFound);
    EXPECT_NE(o.status().message().find("/nonexistent/benchfs"), std::string::npos);
  });
}

TEST_P(UringOps, OpenWriteFsyncStatxFallocateClose) {
  ScratchFile scratch(0);
  const std::string path = scratch.path() + ".ops";
  ex_->Run([&] {
    auto fd = uring().OpenAt(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ASSERT_TRUE(fd.ok()) << fd.status().ToString();
    IoBuffer buf = IoBuffer::Allocate(8192);
    std::memset(buf.data(), 'x', 8192);
    auto w = uring().Write(*fd, buf, 8192, 4096);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ(*w, 8192u);
    EXPECT_TRUE(uring().Fsync(*fd).ok());
    EXPECT_TRUE(uring().Fdatasync(*fd).ok());
    EXPECT_TRUE(uring().Fallocate(*fd, 0, 0, 1 << 20).ok());
    auto st = uring().Statx(AT_FDCWD, path, 0, STATX_SIZE);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_EQ(st->stx_size, 1u << 20);
    EXPECT_TRUE(uring().Close(*fd).ok());
    EXPECT_EQ(::fcntl(*fd, F_GETFD), -1);  // really closed
  });
  struct stat sb;
  ASSERT_EQ(::stat(path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_size, 1 << 20);
  ::unlink(path.c_str());
}

TEST_P(UringOps, VectoredReadWrite) {
  ScratchFile f(16384);
  ex_->Run([&] {
    std::vector<IoBuffer> bufs;
    bufs.push_back(IoBuffer::Allocate(1000));
    bufs.push_back(IoBuffer::Allocate(3000));
    auto r = uring().Readv(f.fd(), bufs, 10);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 4000u);
    ASSERT_EQ(bufs.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(bufs[0].data()[0]), ScratchFile::Pattern(10));
    EXPECT_EQ(static_cast<unsigned char>(bufs[1].data()[0]), ScratchFile::Pattern(1010));
    std::memset(bufs[0].data(), 'A', 1000);
    std::memset(bufs[1].data(), 'B', 3000);
    auto w = uring().Writev(f.fd(), bufs, 0);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(*w, 4000u);
  });
  char c[2];
  ASSERT_EQ(::pread(f.fd(), &c[0], 1, 999), 1);
  ASSERT_EQ(::pread(f.fd(), &c[1], 1, 1000), 1);
  EXPECT_EQ(c[0], 'A');
  EXPECT_EQ(c[1], 'B');
}

TEST_P(UringOps, TimeoutOpWaitsInKernel) {
  ex_->Run([&] {
    TimePoint t0 = Now();
    EXPECT_TRUE(uring().Timeout(2ms).ok());
    EXPECT_GE(Now() - t0, 2ms);
  });
}

TEST_P(UringOps, PollAddReportsReadiness) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ex_->Run([&] {
    auto writer = ex_->Spawn([&] {
      ex_->SleepFor(1ms);
      ASSERT_EQ(::write(p[1], "z", 1), 1);
    });
    auto r = uring().PollAdd(p[0], POLLIN);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(*r & POLLIN);
    ex_->Join(writer);
  });
  ::close(p[0]);
  ::close(p[1]);
}

TEST_P(UringOps, RegisteredBuffersUseFixedOps) {
  ScratchFile f(64 * 1024);
  ASSERT_TRUE(uring().RegisterBuffers(4, 16384).ok());
  EXPECT_FALSE(uring().RegisterBuffers(4, 16384).ok());  // once per ring
  ex_->Run([&] {
    BufferPool* pool = uring().buffers();
    ASSERT_NE(pool, nullptr);
    auto buf = pool->Acquire();
    ASSERT_TRUE(buf.ok());
    EXPECT_GE(buf->registered_index(), 0);
    auto r = uring().Read(f.fd(), *buf, 16384, 4096);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 16384u);
    EXPECT_EQ(static_cast<unsigned char>(buf->data()[5]), ScratchFile::Pattern(4096 + 5));
    EXPECT_EQ(pool->available(), 3u);
    // Exhaust the pool: the next Acquire waits until a buffer comes back.
    std::vector<IoBuffer> held;
    for (int i = 0; i < 3; ++i) held.push_back(pool->TryAcquire());
    EXPECT_TRUE(pool->TryAcquire().empty());
    auto timed = pool->Acquire(WaitOptions::For(1ms));
    EXPECT_EQ(timed.status().code(), StatusCode::kTimedOut);
    auto waiter = ex_->Spawn([&] {
      auto b = pool->Acquire();
      EXPECT_TRUE(b.ok());
    });
    ex_->Yield();
    held.pop_back();  // returns one buffer and wakes the waiter
    ex_->Join(waiter);
  });
}

TEST_P(UringOps, FixedFilesReadAndTableBound) {
  ScratchFile f(8192);
  ex_->Run([&] {
    auto ff = uring().RegisterFile(f.fd());
    ASSERT_TRUE(ff.ok()) << ff.status().ToString();
    IoBuffer buf = IoBuffer::Allocate(4096);
    auto r = uring().Read(*ff, buf, 4096, 4096);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(static_cast<unsigned char>(buf.data()[1]), ScratchFile::Pattern(4097));
    std::vector<FixedFile> all;
    for (;;) {
      auto more = uring().RegisterFile(f.fd());
      if (!more.ok()) {
        EXPECT_EQ(more.status().code(), StatusCode::kResourceExhausted);
        EXPECT_NE(more.status().message().find("fixed_files"), std::string::npos);
        break;
      }
      all.push_back(std::move(*more));
    }
    EXPECT_EQ(all.size() + 1, ex_->config().fixed_files);
    all.clear();  // unregisters: slots come back
    EXPECT_TRUE(uring().RegisterFile(f.fd()).ok());
  });
}

INSTANTIATE_TEST_SUITE_P(AllRingSetups, UringOps,
                         ::testing::Values(RingSetup::kNone, RingSetup::kCoopTaskrun,
                                           RingSetup::kSingleIssuerDeferTaskrun, RingSetup::kSqpoll),
                         [](const auto& info) { return std::string(RingSetupName(info.param)); });

}  // namespace
}  // namespace benchfs

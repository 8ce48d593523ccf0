// SPDX-License-Identifier: BSD-3-Clause
// Backpressure: a ring of 8 entries under 10 000 concurrent operations. A full
// SQ or a full in-flight budget suspends the submitter; nothing is lost and
// nothing fails.
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using testing::MakeExecutor;
using testing::ScratchFile;

TEST(Backpressure, TenThousandOpsOnEightEntryRing) {
  ExecutorConfig cfg;
  cfg.ring_entries = 8;
  cfg.submit_batch = 8;
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  ScratchFile f(1 << 20);
  ASSERT_GE(f.fd(), 0);
  constexpr int kOps = 10000;
  int ok = 0;
  int bad_data = 0;
  int failed = 0;
  ex->Run([&] {
    std::vector<FiberHandle> hs;
    hs.reserve(kOps);
    for (int i = 0; i < kOps; ++i) {
      hs.push_back(ex->Spawn([&, i] {
        if (i % 2 == 0) {
          Status s = ex->uring().Nop();
          s.ok() ? ++ok : ++failed;
          return;
        }
        IoBuffer buf = IoBuffer::Allocate(512);
        const uint64_t off = (static_cast<uint64_t>(i) * 4096) % (1 << 20);
        auto r = ex->uring().Read(f.fd(), buf, 512, off);
        if (!r.ok() || *r != 512) {
          ++failed;
          return;
        }
        for (size_t k = 0; k < 512; ++k) {
          if (static_cast<unsigned char>(buf.data()[k]) != ScratchFile::Pattern(off + k)) {
            ++bad_data;
            break;
          }
        }
        ++ok;
      }));
    }
    for (auto& h : hs) ex->Join(h);
  });
  EXPECT_EQ(ok, kOps);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(bad_data, 0);
  const ExecutorStats& st = ex->stats();
  EXPECT_EQ(st.stray_cqes, 0u);
  EXPECT_EQ(ex->uring().inflight(), 0u);
  // The bound really was hit, and never exceeded.
  EXPECT_GT(st.slot_waits + st.sq_full_waits, 0u);
  EXPECT_LE(st.io_depth_max, ex->uring().cq_entries());
  EXPECT_EQ(ex->uring().sq_entries(), 8u);
}

TEST(Backpressure, FullSqSuspendsInsteadOfFailing) {
  ExecutorConfig cfg;
  cfg.ring_entries = 4;
  cfg.submit_batch = 4;
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  int done = 0;
  ex->Run([&] {
    std::vector<FiberHandle> hs;
    // Kernel timers keep entries in flight long enough to fill the CQ budget too.
    for (int i = 0; i < 64; ++i) {
      hs.push_back(ex->Spawn([&] {
        if (ex->uring().Timeout(std::chrono::microseconds(200)).ok()) ++done;
      }));
    }
    for (auto& h : hs) ex->Join(h);
  });
  EXPECT_EQ(done, 64);
  EXPECT_GT(ex->stats().slot_waits, 0u);
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The seed's bug as a regression test. In `polled` mode the reactor timeouts
// bound batching and parking but never delay a completion, so a QD1 chain of
// dependent operations has the same median latency whatever they are set to.
// In `gated` mode (the legacy semantics) the same settings reproduce the
// 150 ms floor of seed 002.
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime/test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeExecutor;
using testing::Median;
using testing::ScratchFile;

struct Timeouts {
  Duration submit;
  Duration complete;
};

const std::vector<Timeouts> kSettings = {
    {Duration(0), Duration(0)}, {10us, 10us}, {1ms, 1ms}, {50ms, 100ms}};

// Median per-op latency (µs) of `ops` dependent operations at QD1.
double MedianLatency(const ExecutorConfig& cfg, int ops,
                     const std::function<void(Executor&, int)>& op) {
  auto ex = MakeExecutor(cfg);
  if (!ex) return -1;
  std::vector<double> us;
  us.reserve(ops);
  ex->Run([&] {
    for (int i = 0; i < 200; ++i) op(*ex, i);  // warm-up
    for (int i = 0; i < ops; ++i) {
      TimePoint t0 = Now();
      op(*ex, i);
      us.push_back(ToMicros(Now() - t0));
    }
  });
  EXPECT_EQ(ex->stats().park_violations, 0u);
  return Median(us);
}

void ExpectIndependent(const std::function<void(Executor&, int)>& op, const char* what) {
  // Rounds interleave the settings so machine noise hits all of them alike;
  // each setting's figure is the median over rounds of per-round medians.
  constexpr int kRounds = 5;
  std::vector<std::vector<double>> per(kSettings.size());
  for (int round = 0; round < kRounds; ++round) {
    for (size_t k = 0; k < kSettings.size(); ++k) {
      ExecutorConfig cfg;
      cfg.submit_timeout = kSettings[k].submit;
      cfg.complete_timeout = kSettings[k].complete;
      per[k].push_back(MedianLatency(cfg, 2000, op));
    }
  }
  std::vector<double> med;
  for (auto& v : per) med.push_back(Median(v));
  const double lo = *std::min_element(med.begin(), med.end());
  const double hi = *std::max_element(med.begin(), med.end());
  const double allowed = std::max(0.10 * lo, 5.0);
  for (size_t k = 0; k < kSettings.size(); ++k) {
    std::printf("[ timeouts ] %s polled submit=%s complete=%s: median %.2f us\n", what,
                FormatDuration(kSettings[k].submit).c_str(),
                FormatDuration(kSettings[k].complete).c_str(), med[k]);
  }
  EXPECT_LE(hi - lo, allowed) << what << ": medians spread " << (hi - lo) << " us, allowed "
                              << allowed << " us";
}

TEST(TimeoutIndependence, NopChainPolled) {
  ExpectIndependent([](Executor& ex, int) { ASSERT_TRUE(ex.uring().Nop().ok()); }, "nop");
}

TEST(TimeoutIndependence, PageCacheRead4kChainPolled) {
  ScratchFile f(4 << 20);
  ASSERT_GE(f.fd(), 0);
  IoBuffer buf = IoBuffer::Allocate(4096);
  ExpectIndependent(
      [&](Executor& ex, int i) {
        auto r = ex.uring().Read(f.fd(), buf, 4096, (static_cast<uint64_t>(i) * 4096) % (4 << 20));
        ASSERT_TRUE(r.ok() && *r == 4096);
      },
      "read4k");
}

TEST(TimeoutIndependence, GatedModeReproducesTheSeedFloor) {
  ExecutorConfig cfg;
  cfg.reactor_mode = ReactorMode::kGated;
  cfg.submit_timeout = 50ms;
  cfg.complete_timeout = 100ms;
  auto ex = MakeExecutor(cfg);
  ASSERT_TRUE(ex);
  ScratchFile f(64 * 1024);
  std::vector<double> ms;
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    for (int i = 0; i < 3; ++i) {
      TimePoint t0 = Now();
      ASSERT_TRUE(ex->uring().Nop().ok());
      ms.push_back(std::chrono::duration<double, std::milli>(Now() - t0).count());
      t0 = Now();
      ASSERT_TRUE(ex->uring().Read(f.fd(), buf, 4096, 0).ok());
      ms.push_back(std::chrono::duration<double, std::milli>(Now() - t0).count());
    }
  });
  for (double v : ms) {
    std::printf("[ timeouts ] gated submit=50ms complete=100ms: op took %.1f ms\n", v);
    // Each op waits for the submit gate (50 ms) and then the reap gate (100 ms).
    EXPECT_GE(v, 150.0);
    EXPECT_LT(v, 1000.0);
  }
}

}  // namespace
}  // namespace benchfs

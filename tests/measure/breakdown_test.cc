// SPDX-License-Identifier: BSD-3-Clause
// Stage accounting of the breakdown: the six stages of a call sum to its
// total; a delay put into one stage shows up in that stage and only there;
// without a shared clock both network legs are reported together; the p50
// and p99 bands are means of the calls around those percentiles.
#include "measure/breakdown.h"

#include <gtest/gtest.h>

#include <numeric>

namespace benchfs {
namespace {

// A call starting at `t` with the given stage lengths (ns).
void RecordCall(Breakdown& b, uint64_t t, uint64_t send, uint64_t queue, uint64_t handler, uint64_t io, uint64_t log,
                uint64_t reply) {
  const uint64_t received = t + send;
  const uint64_t started = received + queue;
  const uint64_t replied = started + handler + io + log;
  b.Record(t, replied + reply, received, started, replied, io, log);
}

double Sum(const StageBand& band) { return std::accumulate(band.stage_us.begin(), band.stage_us.end(), 0.0); }

TEST(Breakdown, StagesSumToTheTotal) {
  Breakdown b(true);
  for (uint64_t i = 0; i < 1000; ++i) RecordCall(b, i * 100000, 3000 + i, 500, 700, 2000 + 3 * i, 1000, 3500);
  const BreakdownFigures f = b.Figures();
  EXPECT_EQ(f.calls, 1000u);
  EXPECT_NEAR(Sum(f.p50), f.p50.total_us, 1e-9);
  EXPECT_NEAR(Sum(f.p99), f.p99.total_us, 1e-9);
  EXPECT_NEAR(f.p50.stage_us[kStageQueue], 0.5, 1e-9);
  EXPECT_NEAR(f.p50.stage_us[kStageLog], 1.0, 1e-9);
  EXPECT_EQ(f.p50.calls, 100u);  // the 45-55th percentile band of 1000 calls
  EXPECT_GT(f.p99.total_us, f.p50.total_us);
}

TEST(Breakdown, ADelayInOneStageShowsThereAndOnlyThere) {
  const uint64_t base[kStages] = {3000, 500, 700, 2000, 1000, 3500};
  for (unsigned delayed = 0; delayed < kStages; ++delayed) {
    Breakdown plain(true), slow(true);
    for (uint64_t i = 0; i < 200; ++i) {
      uint64_t s[kStages];
      for (unsigned k = 0; k < kStages; ++k) s[k] = base[k] + (i % 7);
      RecordCall(plain, i * 100000, s[0], s[1], s[2], s[3], s[4], s[5]);
      s[delayed] += 50000;  // 50 us more in one stage
      RecordCall(slow, i * 100000, s[0], s[1], s[2], s[3], s[4], s[5]);
    }
    const BreakdownFigures p = plain.Figures(), q = slow.Figures();
    for (unsigned k = 0; k < kStages; ++k) {
      const double moved = q.p50.stage_us[k] - p.p50.stage_us[k];
      if (k == delayed) {
        EXPECT_NEAR(moved, 50.0, 1e-6) << StageName(k);
      } else {
        EXPECT_NEAR(moved, 0.0, 1e-6) << StageName(k) << " moved when " << StageName(delayed) << " was delayed";
      }
    }
  }
}

TEST(Breakdown, WithoutOneClockBothNetworkLegsAreOneStage) {
  Breakdown b(false);
  // The server's clock is 1 s ahead: its timestamps cannot be compared with
  // the client's, only with each other.
  const uint64_t skew = 1000000000;
  for (uint64_t i = 0; i < 100; ++i) {
    const uint64_t t = 5000000 + i * 100000;
    b.Record(t, t + 20000, t + 4000 + skew, t + 4500 + skew, t + 9000 + skew, 2000, 0);
  }
  const BreakdownFigures f = b.Figures();
  EXPECT_FALSE(f.same_clock);
  EXPECT_NEAR(f.p50.stage_us[kStageSend], 15.0, 1e-9);  // 20 us total - 5 us at the server
  EXPECT_NEAR(f.p50.stage_us[kStageReply], 0.0, 1e-9);
  EXPECT_NEAR(Sum(f.p50), f.p50.total_us, 1e-9);
}

}  // namespace
}  // namespace benchfs

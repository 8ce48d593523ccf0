// SPDX-License-Identifier: BSD-3-Clause
// The quantization detector on synthetic latency distributions: it names the
// timeout (or tick) a distribution sits on, only when the reactor mode lets
// that knob impose a floor, only within the tolerance, and only when the
// floor is well above what the work alone takes.
#include <random>

#include <gtest/gtest.h>

#include "sweep/quantization.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

// `n` samples spread uniformly over [center*(1-spread), center*(1+spread)] (µs).
Histogram Around(double center_us, double spread, int n = 200, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(center_us * (1 - spread), center_us * (1 + spread));
  Histogram h;
  for (int i = 0; i < n; ++i) h.Record(static_cast<uint64_t>(d(rng) * 1000));
  return h;
}

DetectorInput Gated(Duration s, Duration c, const Histogram& h) {
  DetectorInput in;
  in.mode = ReactorMode::kGated;
  in.submit_timeout = s;
  in.complete_timeout = c;
  in.latency_ns = &h;
  in.reference_p50_us = 12.0;
  in.tick = 4ms;
  in.hz = 250;
  return in;
}

TEST(Quantization, NamesTheSumOfTheSeedsTimeouts) {
  Histogram h = Around(150300, 0.002);
  auto f = DetectQuantization(Gated(50ms, 100ms, h));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->knob, "submit_timeout + complete_timeout");
  EXPECT_DOUBLE_EQ(f->floor_us, 150000);
  EXPECT_NEAR(f->p50_us, 150300, 1000);
  EXPECT_GT(f->near_share, 0.99);
  // Histogram buckets are ~1 ms wide at 150 ms (within 0.4 %).
  EXPECT_EQ(f->message.rfind("p50 = 150.", 0), 0u) << f->message;
  EXPECT_NE(f->message.find(" ms ≈ submit_timeout + complete_timeout (50ms + 100ms)"), std::string::npos)
      << f->message;
  EXPECT_NE(f->message.find("try polled mode or smaller timeouts"), std::string::npos) << f->message;
}

TEST(Quantization, NamesASingleTimeout) {
  Histogram h = Around(100400, 0.002);
  auto f = DetectQuantization(Gated(Duration(0), 100ms, h));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->knob, "complete_timeout");
  Histogram h2 = Around(50200, 0.002);
  auto f2 = DetectQuantization(Gated(50ms, 100ms, h2));
  ASSERT_TRUE(f2);
  EXPECT_EQ(f2->knob, "submit_timeout");
}

TEST(Quantization, NamesMultiplesOfTheSum) {
  Histogram h = Around(300900, 0.002);
  auto f = DetectQuantization(Gated(50ms, 100ms, h));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->knob, "2 x (submit_timeout + complete_timeout)");
  EXPECT_DOUBLE_EQ(f->floor_us, 300000);
}

TEST(Quantization, ToleranceIsFivePercent) {
  Histogram inside = Around(150000 * 1.04, 0.001);
  Histogram outside = Around(150000 * 1.06, 0.001);
  EXPECT_TRUE(DetectQuantization(Gated(50ms, 100ms, inside)));
  EXPECT_FALSE(DetectQuantization(Gated(50ms, 100ms, outside)));
  Histogram below = Around(150000 * 0.94, 0.001);
  EXPECT_FALSE(DetectQuantization(Gated(50ms, 100ms, below)));
}

TEST(Quantization, PolledTimeoutsAreNeverAFloorAtQd1) {
  Histogram h = Around(150300, 0.002);
  DetectorInput in = Gated(50ms, 100ms, h);
  in.mode = ReactorMode::kPolled;
  EXPECT_FALSE(DetectQuantization(in));
}

TEST(Quantization, PolledSubmitTimeoutCanHoldBatchesAtDepth) {
  Histogram h = Around(1010, 0.01);
  DetectorInput in = Gated(1ms, 100ms, h);
  in.mode = ReactorMode::kPolled;
  in.qd = 8;
  auto f = DetectQuantization(in);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->knob, "submit_timeout");
  EXPECT_NE(f->message.find("lower submit_timeout or submit_batch"), std::string::npos) << f->message;
  in.qd = 1;
  EXPECT_FALSE(DetectQuantization(in));
}

TEST(Quantization, WorkloadsWithoutIoUringOperationsHaveNoTimeoutFloor) {
  Histogram h = Around(150300, 0.002);
  DetectorInput in = Gated(50ms, 100ms, h);
  in.gated_io_ops = 0;
  EXPECT_FALSE(DetectQuantization(in));
}

TEST(Quantization, AFloorTheWorkReachesAloneIsNotTheTimers) {
  // 20 us of gates and a p50 of 20.5 us: only a timer's doing if the work
  // alone is much faster.
  Histogram h = Around(20.5, 0.01);
  DetectorInput in = Gated(10us, 10us, h);
  in.reference_p50_us = 15.0;
  EXPECT_FALSE(DetectQuantization(in));
  in.reference_p50_us = 5.0;
  auto f = DetectQuantization(in);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->knob, "submit_timeout + complete_timeout");
  in.reference_p50_us.reset();
  EXPECT_TRUE(DetectQuantization(in));
}

TEST(Quantization, KernelTickMultiples) {
  Histogram h = Around(8020, 0.01);
  DetectorInput in;
  in.mode = ReactorMode::kPolled;
  in.latency_ns = &h;
  in.reference_p50_us = 12;
  in.tick = 4ms;
  in.hz = 250;
  auto f = DetectQuantization(in);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->knob, kTickKnob);
  EXPECT_DOUBLE_EQ(f->floor_us, 8000);
  EXPECT_NE(f->message.find("2 ticks of 4.0 ms, CONFIG_HZ=250"), std::string::npos) << f->message;
  // Without a known tick there is nothing to compare with.
  in.tick = Duration(0);
  EXPECT_FALSE(DetectQuantization(in));
}

TEST(Quantization, TickNeedsMostOperationsOnTickMultiples) {
  // p50 near 8 ms, but spread from 5 to 11 ms: not tick-quantized.
  Histogram h = Around(8000, 0.375);
  DetectorInput in;
  in.mode = ReactorMode::kPolled;
  in.latency_ns = &h;
  in.reference_p50_us = 12;
  in.tick = 4ms;
  EXPECT_FALSE(DetectQuantization(in));
  // Tight at 8 ms, but the work alone takes 5 ms: not the tick's doing.
  Histogram tight = Around(8000, 0.01);
  in.latency_ns = &tight;
  in.reference_p50_us = 5000;
  EXPECT_FALSE(DetectQuantization(in));
}

TEST(Quantization, TimeoutsWinOverTheTick) {
  // 2 ms + 2 ms = 4 ms is also one tick at 250 Hz: the knob is named.
  Histogram h = Around(4010, 0.002);
  auto f = DetectQuantization(Gated(2ms, 2ms, h));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->knob, "submit_timeout + complete_timeout");
}

TEST(Quantization, EmptyHistogramIsNoFinding) {
  Histogram h;
  EXPECT_FALSE(DetectQuantization(Gated(50ms, 100ms, h)));
}

TEST(Quantization, TimeoutFloor) {
  EXPECT_EQ(TimeoutFloor(ReactorMode::kGated, 50ms, 100ms, 1), 150ms);
  EXPECT_EQ(TimeoutFloor(ReactorMode::kGated, 50ms, 100ms, 2), 300ms);
  EXPECT_EQ(TimeoutFloor(ReactorMode::kGated, 50ms, 100ms, 0), Duration(0));
  EXPECT_EQ(TimeoutFloor(ReactorMode::kPolled, 50ms, 100ms, 1), Duration(0));
}

TEST(Quantization, FormatLatency) {
  EXPECT_EQ(FormatLatencyUs(150012), "150.0 ms");
  EXPECT_EQ(FormatLatencyUs(10.44), "10.4 us");
  EXPECT_EQ(FormatLatencyUs(1500000), "1.50 s");
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// ExecutorConfig: validation names the knob and its range; parsers accept the
// documented forms and reject everything else with a clear message.
#include <gtest/gtest.h>

#include "runtime/executor.h"
#include "runtime/executor_config.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

TEST(ExecutorConfig, DefaultsAreValid) { EXPECT_TRUE(ExecutorConfig{}.Validate().ok()); }

TEST(ExecutorConfig, RingEntriesZeroNamesKnobAndRange) {
  ExecutorConfig c;
  c.ring_entries = 0;
  Status s = c.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("ring_entries = 0"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("1..32768"), std::string::npos) << s.message();
}

TEST(ExecutorConfig, AnyThreadRefusesASingleIssuerRing) {
  ExecutorConfig c;
  c.any_thread = true;
  EXPECT_TRUE(c.Validate().ok());
  c.ring_setup = RingSetup::kSingleIssuerDeferTaskrun;
  Status s = c.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("single_issuer_defer_taskrun"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("any_thread"), std::string::npos) << s.message();
}

TEST(ExecutorConfig, RingEntriesAboveKernelLimit) {
  ExecutorConfig c;
  c.ring_entries = 65536;
  Status s = c.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("ring_entries = 65536"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("IORING_MAX_ENTRIES"), std::string::npos) << s.message();
}

TEST(ExecutorConfig, CreateRefusesInvalidConfig) {
  ExecutorConfig c;
  c.submit_batch = 0;
  auto r = Executor::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("submit_batch"), std::string::npos);
}

TEST(ExecutorConfig, TimeoutKnobRanges) {
  ExecutorConfig c;
  c.complete_timeout = 11s;
  Status s = c.Validate();
  EXPECT_NE(s.message().find("complete_timeout = 11s"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("0..10s"), std::string::npos) << s.message();
  c = {};
  c.submit_timeout = -1us;
  EXPECT_NE(c.Validate().message().find("submit_timeout"), std::string::npos);
  c = {};
  c.idle_spin = 2s;
  EXPECT_NE(c.Validate().message().find("idle_spin"), std::string::npos);
  c = {};
  c.submit_batch = 300;  // above ring_entries (256)
  EXPECT_NE(c.Validate().message().find("at most ring_entries"), std::string::npos);
}

TEST(ExecutorConfig, ParseRingSetup) {
  EXPECT_EQ(*ParseRingSetup("none"), RingSetup::kNone);
  EXPECT_EQ(*ParseRingSetup("coop_taskrun"), RingSetup::kCoopTaskrun);
  EXPECT_EQ(*ParseRingSetup("single_issuer_defer_taskrun"), RingSetup::kSingleIssuerDeferTaskrun);
  EXPECT_EQ(*ParseRingSetup("defer_taskrun"), RingSetup::kSingleIssuerDeferTaskrun);
  EXPECT_EQ(*ParseRingSetup("sqpoll"), RingSetup::kSqpoll);
  auto bad = ParseRingSetup("iopoll");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'iopoll' is unknown"), std::string::npos);
  EXPECT_NE(bad.status().message().find("sqpoll"), std::string::npos);
  for (RingSetup s : {RingSetup::kNone, RingSetup::kCoopTaskrun,
                      RingSetup::kSingleIssuerDeferTaskrun, RingSetup::kSqpoll}) {
    EXPECT_EQ(*ParseRingSetup(RingSetupName(s)), s);
  }
}

TEST(ExecutorConfig, ParseReactorMode) {
  EXPECT_EQ(*ParseReactorMode("polled"), ReactorMode::kPolled);
  EXPECT_EQ(*ParseReactorMode("gated"), ReactorMode::kGated);
  EXPECT_FALSE(ParseReactorMode("Polled").ok());
}

TEST(Duration, ParseAcceptsUnits) {
  EXPECT_EQ(*ParseDuration("0"), Duration(0));
  EXPECT_EQ(*ParseDuration("250ns"), 250ns);
  EXPECT_EQ(*ParseDuration("10us"), 10us);
  EXPECT_EQ(*ParseDuration("10\xC2\xB5s"), 10us);
  EXPECT_EQ(*ParseDuration("1.5ms"), 1500us);
  EXPECT_EQ(*ParseDuration("2s"), 2s);
}

TEST(Duration, ParseRejectsWithReason) {
  auto r = ParseDuration("10");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs a unit"), std::string::npos);
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("ms").ok());
  EXPECT_FALSE(ParseDuration("-5ms").ok());
  auto u = ParseDuration("5min");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("unknown unit 'min'"), std::string::npos);
}

TEST(Duration, FormatRoundTrips) {
  for (Duration d : {Duration(0), Duration(1500), Duration(10us), Duration(150ms), Duration(3s)}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d) << FormatDuration(d);
  }
  EXPECT_EQ(FormatDuration(150ms), "150ms");
}

TEST(Status, FromErrnoNamesTheError) {
  Status s = Status::FromErrno(ENOSPC, "write /data/x");
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.sys_errno(), ENOSPC);
  EXPECT_NE(s.ToString().find("ENOSPC"), std::string::npos);
  EXPECT_NE(s.ToString().find("write /data/x"), std::string::npos);
  EXPECT_EQ(Status::FromErrno(ENOENT, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::FromErrno(EACCES, "x").code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace benchfs

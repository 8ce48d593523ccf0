// SPDX-License-Identifier: BSD-3-Clause
// The small benchmark's flags: benchfs and benchfs-mpi declare the same ones
// and check them the same way.
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "service/small_bench_flags.h"
#include "tests/service/parse_args.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

struct Invocation {
  SmallBenchFlags flags;
  SmallBenchConfig config;
  OutputOptions out;
  CLI::App app{"test"};
  SmallBenchCommand command;
  explicit Invocation(SmallBenchCommand c) : command(c) { AddSmallBenchFlags(app, c, &flags, &config, &out); }
  Status Parse(const std::vector<std::string>& args) {
    Status s = ParseArgs(app, args);
    if (!s.ok()) return s;
    return ResolveSmallBenchFlags(app, command, flags, "host-1", &config, &out);
  }
};

class SmallBenchFlagsTest : public testing::TestWithParam<SmallBenchCommand> {};

TEST_P(SmallBenchFlagsTest, WarmupTimeAndClientId) {
  Invocation r(GetParam());
  Status s = r.Parse({"--warmup-time", "1s", "--client-id", "fixed", "--duration", "2s", "--sizes", "4KiB"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.config.load.warmup, 1s);
  EXPECT_EQ(r.config.load.warmup_iterations, 0u);
  EXPECT_EQ(r.config.load.duration, 2s);
  EXPECT_EQ(r.config.client_id, "fixed");
  EXPECT_EQ(r.config.sizes, std::vector<uint64_t>{4096});
}

TEST_P(SmallBenchFlagsTest, DefaultsWithoutFlags) {
  Invocation r(GetParam());
  Status s = r.Parse({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.config.load.iterations, 10000u);
  EXPECT_EQ(r.config.load.warmup_iterations, 100u);
  EXPECT_EQ(r.config.client_id, "host-1");
}

TEST_P(SmallBenchFlagsTest, SameChecks) {
  EXPECT_EQ(Invocation(GetParam()).Parse({"-n", "5", "--duration", "1s"}).message(),
            "give --iterations or --duration, not both");
  EXPECT_EQ(Invocation(GetParam()).Parse({"--iterations", "0"}).message(), "--iterations must be at least 1");
  EXPECT_EQ(Invocation(GetParam()).Parse({"--duration", "0"}).message(), "--duration must be more than 0");
  EXPECT_EQ(Invocation(GetParam()).Parse({"--client-id", "a/b"}).message(), "--client-id must not contain '/'");
  EXPECT_EQ(Invocation(GetParam()).Parse({"--repeat", "0"}).message(), "--repeat must be 1..100");
  EXPECT_EQ(Invocation(GetParam()).Parse({"--warmup-time", "x"}).message().rfind("--warmup-time: ", 0), 0u);
  EXPECT_EQ(Invocation(GetParam()).Parse({"--sizes", "1XB"}).message().rfind("--sizes: ", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Commands, SmallBenchFlagsTest,
                         testing::Values(SmallBenchCommand::kSmall, SmallBenchCommand::kPing,
                                         SmallBenchCommand::kMpi),
                         [](const testing::TestParamInfo<SmallBenchCommand>& info) {
                           switch (info.param) {
                             case SmallBenchCommand::kSmall: return std::string("BenchSmall");
                             case SmallBenchCommand::kPing: return std::string("BenchPing");
                             case SmallBenchCommand::kMpi: return std::string("Mpi");
                           }
                           return std::string("Unknown");
                         });

TEST(SmallBenchFlags, PingRunsPingOnly) {
  Invocation r(SmallBenchCommand::kPing);
  ASSERT_TRUE(r.Parse({}).ok());
  EXPECT_EQ(r.config.ops, std::vector<std::string>{"ping"});
}

TEST(SmallBenchFlags, OpsAreChecked) {
  Invocation r(SmallBenchCommand::kMpi);
  EXPECT_FALSE(r.Parse({"--ops", "write,frobnicate"}).ok());
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Two hosts: benchfsd in one network namespace and the client in another,
// joined by a veth pair, talking UCX tcp over it. The client writes, reads
// back and verifies every byte. Where network namespaces cannot be created
// (no CAP_NET_ADMIN), the test is skipped and says why.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service/readiness.h"
#include "tests/bin/process.h"
#include "tests/bin/two_hosts.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;

TEST(TwoHosts, BenchSmallOverVethWithVerifiedData) {
  testing::TwoHosts net;
  if (!net.ok()) GTEST_SKIP() << net.why;
  const std::string dir = MakeTempDir("netns");
  Process daemon(testing::WithPrivilegeFlags({BENCHFSD_BIN, "--listen", net.server_ip + ":0", "--data-dir",
                                              dir + "/data", "--ucx-tls", "tcp", "--log-level", "warn"}),
                 {"UCX_NET_DEVICES=" + net.server_dev}, {"ip", "netns", "exec", net.server_ns});
  auto line = daemon.ReadLine();
  ASSERT_TRUE(line.has_value()) << daemon.err();
  const std::string addr = ParseReadyLine(*line).value_or("");
  EXPECT_EQ(addr.rfind(net.server_ip + ":", 0), 0u) << addr;
  Process client({BENCHFS_BIN, "-s", addr, "--ucx-tls", "tcp", "bench", "small", "-n", "300", "--warmup", "20",
                  "--files", "50", "--verify", "--baseline", "--json", dir + "/r.json"},
                 {"UCX_NET_DEVICES=" + net.client_dev}, {"ip", "netns", "exec", net.client_ns});
  ASSERT_EQ(client.Wait(300s), std::optional<int>(0)) << client.out() << client.err();
  auto j = nlohmann::json::parse(ReadFile(dir + "/r.json"));
  const std::string transport = j["manifest"]["transport"];
  EXPECT_NE(transport.find("tcp/" + net.client_dev), std::string::npos) << transport;
  for (const auto& r : j["results"]) {
    EXPECT_EQ(r["errors"], 0) << r;
    // --baseline repeats in 3 interleaved rounds: 300 each.
    EXPECT_EQ(r["rounds"], 3) << r;
    EXPECT_EQ(r["count"], 900) << r;
    EXPECT_EQ(r["round_figures"].size(), 3u) << r;
  }
  std::printf("%s", client.out().c_str());
  daemon.Kill(SIGTERM);
  EXPECT_EQ(daemon.Wait(30s), std::optional<int>(0)) << daemon.err();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

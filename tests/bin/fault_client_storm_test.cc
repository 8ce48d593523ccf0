// SPDX-License-Identifier: BSD-3-Clause
// Fault matrix, client side, repeated (label `slow`): 200 clients in turn,
// each killed with SIGKILL while 64 reads of 1 MiB are in rendezvous
// transfers to it over UCX tcp. The daemon must survive every one of them and
// end idle. UCX 1.13's tcp PUT zcopy rendezvous aborted the daemon about once
// in a hundred such kills; BenchFS turns that protocol off (ApplyUcxDefaults).
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;

TEST(ClientKilledRepeatedly, DaemonSurvivesTwoHundredKillsMidRendezvous) {
  const std::string dir = MakeTempDir("client-storm");
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir + "/data", "--log-level", "warn"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  std::mt19937 rng(42);
  constexpr int kClients = 200;
  for (int i = 0; i < kClients; ++i) {
    Process client({BENCHFS_FAULT_CLIENT, d.address(), "read", "64"});
    ASSERT_EQ(client.ReadLine(60s), std::optional<std::string>("started")) << client.err();
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 100));
    client.Kill(SIGKILL);
    ASSERT_TRUE(client.Wait(10s).has_value());
    ASSERT_FALSE(d.process().Wait(0ms).has_value()) << "benchfsd died after " << i + 1 << " killed clients:\n"
                                                    << d.Errors();
  }
  std::map<std::string, uint64_t> after;
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  do {
    std::this_thread::sleep_for(100ms);
    after = d.Status();
  } while (std::chrono::steady_clock::now() < give_up && !(after["inflight"] == 1 && after["connections"] == 1));
  EXPECT_EQ(after["inflight"], 1u);  // the STATUS request itself
  EXPECT_EQ(after["connections"], 1u);
  EXPECT_GE(after["connections_total"], static_cast<uint64_t>(kClients));
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Fault matrix, client side: a client killed with SIGKILL in the middle of
// its writes or reads. What the user sees afterwards: the daemon frees the
// connection's state - STATUS shows nothing in flight, only the asking client
// connected and every receive buffer free - its thread count is what it
// was, and it goes on serving (a write read back byte for byte).
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/bin/client_session.h"
#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientSession;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;

class ClientKilled : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { dir_ = MakeTempDir("client-killed"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

uint64_t Threads(std::map<std::string, uint64_t>& kv) { return kv["threads"] - kv["io_workers"]; }

TEST_P(ClientKilled, MidOperationServerFreesItsState) {
  // Writes under `fsync` take milliseconds each, so requests are in flight
  // on the server when the client dies; 1 MiB reads spend their time in
  // rendezvous transfers the dead client never completes.
  const bool writes = GetParam() == "write";
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "warn",
                   "--durability", writes ? "fsync" : "none"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  auto idle = d.Status();
  ASSERT_FALSE(idle.empty());

  Process client({BENCHFS_FAULT_CLIENT, d.address(), GetParam(), "64"});
  auto started = client.ReadLine(60s);
  ASSERT_EQ(started, std::optional<std::string>("started")) << client.err();
  uint64_t seen_inflight = 0;
  for (int i = 0; i < 50 && seen_inflight == 0; ++i) seen_inflight = d.Status()["inflight"] > 1 ? 1 : 0;
  EXPECT_EQ(seen_inflight, 1u) << "the killed client never had requests in flight on the server";
  client.Kill(SIGKILL);
  ASSERT_TRUE(client.Wait(10s).has_value());

  std::map<std::string, uint64_t> after;
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  do {
    std::this_thread::sleep_for(100ms);
    after = d.Status();
  } while (std::chrono::steady_clock::now() < give_up &&
           !(after["inflight"] == 1 && after["connections"] == 1 &&
             after["registered_buffers_free"] == after["registered_buffers"]));
  // The STATUS request itself is the one in flight and its client the one connection.
  EXPECT_EQ(after["inflight"], 1u);
  EXPECT_EQ(after["connections"], 1u);
  EXPECT_GT(after["registered_buffers"], 0u);
  EXPECT_EQ(after["registered_buffers_free"], after["registered_buffers"]);
  EXPECT_EQ(Threads(after), Threads(idle));
  std::printf("[ client killed mid-%s ] replies dropped %llu, connections total %llu, completed %llu\n",
              GetParam().c_str(), static_cast<unsigned long long>(after["replies_dropped"]),
              static_cast<unsigned long long>(after["connections_total"]),
              static_cast<unsigned long long>(after["completed"]));

  // Still serving.
  ClientSession session;
  session.Run(d.address(), [&](FsClient& c) {
    IoBuffer out = IoBuffer::Allocate(4096);
    testing::FillPattern(out.data(), 4096, 1, 0);
    ASSERT_TRUE(c.WriteChunk("/after/kill", 0, 0, out, 4096).ok());
    IoBuffer in = IoBuffer::Allocate(4096);
    auto n = c.ReadChunk("/after/kill", 0, 0, in, 4096);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 4096u);
    EXPECT_EQ(std::memcmp(in.data(), out.data(), 4096), 0);
  });
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();
}

INSTANTIATE_TEST_SUITE_P(Op, ClientKilled, ::testing::Values("write", "read"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace benchfs

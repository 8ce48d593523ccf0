// SPDX-License-Identifier: BSD-3-Clause
// Fault matrix, network: benchfsd in one network namespace, the client (this
// test's own thread) in another, joined by a veth pair. The link is cut
// (`ip link set ... down`) and restored. What the user sees: while it is
// down every call fails with TIMED_OUT (or UNAVAILABLE) within its deadline
// + 1 s; once it is back, calls on the same connection succeed again and the
// data written before the cut reads back - neither side restarted. Where
// network namespaces cannot be created, the test is skipped and says why.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/bin/client_session.h"
#include "tests/bin/daemon_process.h"
#include "tests/bin/two_hosts.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientSession;
using testing::DaemonProcess;
using testing::EnterNetns;
using testing::FillPattern;
using testing::MakeTempDir;
using testing::Sh;
using testing::TwoHosts;

TEST(LinkCut, CallsTimeOutThenSucceedAgainWithoutRestarts) {
  TwoHosts net;
  if (!net.ok()) GTEST_SKIP() << net.why;
  const std::string dir = MakeTempDir("link-cut");
  DaemonProcess d({"--listen", net.server_ip + ":0", "--data-dir", dir + "/data", "--ucx-tls", "tcp",
                   "--log-level", "warn"},
                  {"UCX_NET_DEVICES=" + net.server_dev}, {"ip", "netns", "exec", net.server_ns});
  ASSERT_TRUE(d.ok()) << d.Errors();
  const pid_t server_pid = d.process().pid();

  EnterNetns in_client(net.client_ns);
  ASSERT_TRUE(in_client.ok()) << in_client.why();
  UcxConfig ucx;
  ucx.tls = "tcp";
  ucx.net_devices = net.client_dev;
  RpcClientConfig rpc;
  rpc.call_timeout = 1s;
  ClientSession session(ucx, rpc);
  constexpr size_t kSize = 4096;
  int failed_while_down = 0;
  Duration slowest_failure{};
  Duration recovered_after{};
  session.Run(d.address(), [&](FsClient& c) {
    Executor& ex = session.ex();
    IoBuffer data = IoBuffer::Allocate(kSize);
    FillPattern(data.data(), kSize, 3, 0);
    ASSERT_TRUE(c.Create("/link/a").ok());
    ASSERT_TRUE(c.WriteChunk("/link/a", 0, 0, data, kSize).ok());

    ASSERT_EQ(Sh("ip -n " + net.server_ns + " link set " + net.server_dev + " down"), 0);
    IoBuffer buf = IoBuffer::Allocate(kSize);
    for (int i = 0; i < 3; ++i) {
      const TimePoint t0 = Now();
      Status s = i == 0   ? c.Stat("/link/a").status()
                 : i == 1 ? c.WriteChunk("/link/b", 0, 0, data, kSize)
                          : c.ReadChunk("/link/a", 0, 0, buf, kSize).status();
      const Duration took = Now() - t0;
      EXPECT_FALSE(s.ok()) << "a call succeeded over a link that is down";
      EXPECT_TRUE(s.code() == StatusCode::kTimedOut || s.code() == StatusCode::kUnavailable) << s.ToString();
      EXPECT_NE(s.message().find(d.address()), std::string::npos) << s.ToString();
      EXPECT_LE(took, rpc.call_timeout + 1s) << s.ToString();
      slowest_failure = std::max(slowest_failure, took);
      if (!s.ok()) ++failed_while_down;
    }

    ASSERT_EQ(Sh("ip -n " + net.server_ns + " link set " + net.server_dev + " up"), 0);
    const TimePoint restored = Now();
    Status s;
    do {
      s = c.Stat("/link/a").status();
      if (!s.ok()) ex.SleepFor(200ms);
    } while (!s.ok() && Now() - restored < 60s);
    ASSERT_TRUE(s.ok()) << "no call succeeded within 60 s of restoring the link: " << s.ToString();
    recovered_after = Now() - restored;
    EXPECT_TRUE(c.connection(0)->alive()) << c.connection(0)->error();
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(c.WriteChunk("/link/c", i, 0, data, kSize).ok());
      auto n = c.ReadChunk("/link/a", 0, 0, buf, kSize);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      ASSERT_EQ(std::memcmp(buf.data(), data.data(), kSize), 0);
    }
  });
  std::printf("[ link cut ] %d calls failed while down (slowest %.0f ms); first success %.0f ms after restore\n",
              failed_while_down, std::chrono::duration<double, std::milli>(slowest_failure).count(),
              std::chrono::duration<double, std::milli>(recovered_after).count());
  EXPECT_EQ(d.process().pid(), server_pid);
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

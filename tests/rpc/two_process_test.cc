// SPDX-License-Identifier: BSD-3-Clause
// Two processes on one host: the server or the client is a separate process
// (benchfs-rpc-test-peer), so calls cross a real process boundary and a peer
// can be killed with SIGKILL in the middle of a call.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "tests/rpc/rpc_test_util.h"
#include "tests/support/child_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientEnv;
using testing::Filled;
using testing::Process;
using testing::SameBytes;
using testing::ServerOptions;
using testing::ServerThread;

uint16_t WaitForPortFile(const std::string& path) {
  for (int i = 0; i < 1000; ++i) {
    std::ifstream in(path);
    int port = 0;
    if (in >> port) return static_cast<uint16_t>(port);
    usleep(10000);
  }
  return 0;
}

std::string TempPath(const char* tag) {
  return "/tmp/benchfs-" + std::string(tag) + "-" + std::to_string(getpid());
}

TEST(TwoProcess, PingAndTenThousandConcurrentCalls) {
  const std::string port_file = TempPath("port");
  Process server({BENCHFS_RPC_PEER, "server", port_file, "2"});
  const uint16_t port = WaitForPortFile(port_file);
  ::unlink(port_file.c_str());
  ASSERT_NE(port, 0) << "the server process did not come up";
  RpcClientConfig cc;
  cc.call_timeout = 60s;
  cc.busy_retries = 100000;
  ClientEnv env(cc);
  int ok = 0;
  int bad = 0;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", port);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE(env.client->Ping(*conn).ok());
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 10000; ++i) {
      hs.push_back(env.ex->Spawn([&, i] {
        const size_t n = 16 + i % 100;
        IoBuffer out = Filled(n, i);
        IoBuffer in = IoBuffer::Allocate(n);
        CallArgs args;
        args.opcode = Opcode::kWriteChunk;
        args.payload = &out;
        args.payload_len = n;
        args.reply_buffer = &in;
        auto r = env.client->Call(*conn, args);
        IoBuffer expect = Filled(n, i);
        (r.ok() && SameBytes(in, expect, n)) ? ++ok : ++bad;
      }));
    }
    for (auto& h : hs) env.ex->Join(h);
    // The server's own counters, read over the wire.
    CallArgs status;
    status.opcode = Opcode::kStatus;
    auto r = env.client->Call(*conn, status);
    ASSERT_TRUE(r.ok());
    auto kv = DecodeCounters(r->payload.span().first(r->payload_len));
    ASSERT_TRUE(kv.ok());
    std::map<std::string, uint64_t> m(kv->begin(), kv->end());
    EXPECT_EQ(m["op.write_chunk"], 10000u);
    EXPECT_GT(m["rejected_busy"], 0u);
    EXPECT_EQ(m["rejected_busy"], env.client->stats().busy_retries);
  });
  EXPECT_EQ(ok, 10000);
  EXPECT_EQ(bad, 0);
}

TEST(TwoProcess, ServerKilledMidCallFailsTheCallWithinItsDeadline) {
  const std::string port_file = TempPath("port-kill");
  Process server({BENCHFS_RPC_PEER, "server", port_file});
  const uint16_t port = WaitForPortFile(port_file);
  ::unlink(port_file.c_str());
  ASSERT_NE(port, 0);
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", port);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    Status result;
    Duration took{};
    auto caller = env.ex->Spawn([&] {
      CallArgs args;
      args.opcode = Opcode::kFsync;  // held 10 s by the server
      args.deadline = Now() + 3s;
      TimePoint t0 = Now();
      result = env.client->Call(*conn, args).status();
      took = Now() - t0;
    });
    env.ex->SleepFor(100ms);
    server.Kill(SIGKILL);
    server.Wait();
    env.ex->Join(caller);
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(result.code() == StatusCode::kUnavailable || result.code() == StatusCode::kTimedOut)
        << result.ToString();
    EXPECT_LE(took, 3s + 200ms) << result.ToString();
    std::printf("[ peer death ] call failed after %.0f ms: %s\n",
                std::chrono::duration<double, std::milli>(took).count(), result.ToString().c_str());
    // Later calls fail fast and clearly.
    CallArgs again;
    again.opcode = Opcode::kPing;
    again.deadline = Now() + 1s;
    auto r = env.client->Call(*conn, again);
    EXPECT_FALSE(r.ok());
  });
}

TEST(TwoProcess, ClientKilledMidCallServerFreesItsState) {
  ServerOptions so;
  so.setup = [](RpcServer& s, Executor& ex) {
    s.Handle(Opcode::kFsync, [&ex](Request&) {
      ex.SleepFor(300ms);
      return Response();
    });
  };
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  Process client({BENCHFS_RPC_PEER, "client", std::to_string(server.port()), "8"});
  ASSERT_EQ(client.ReadLine(), "started");
  ServerStats before = server.Stats();
  EXPECT_EQ(before.inflight, 8u);
  EXPECT_EQ(before.connections, 1u);
  client.Kill(SIGKILL);
  client.Wait();
  ServerStats after;
  for (int i = 0; i < 500; ++i) {
    after = server.Stats();
    if (after.inflight == 0 && after.connections == 0) break;
    usleep(10000);
  }
  EXPECT_EQ(after.inflight, 0u);
  EXPECT_EQ(after.connections, 0u);
  EXPECT_EQ(after.completed, before.completed + 8);
  EXPECT_EQ(after.replies_dropped, 8u);
}

}  // namespace
}  // namespace benchfs

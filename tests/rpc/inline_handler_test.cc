// SPDX-License-Identifier: BSD-3-Clause
// Inline handlers (HandlerMode::kInline, rpc/server.h): they reply from the
// UCX callback without a fiber, echo eager and rendezvous payloads intact,
// stay under admission control, and blocking handlers keep their fibers.
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rpc/registry.h"
#include "tests/rpc/rpc_test_util.h"
#include "tests/support/temp_dir.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientEnv;
using testing::Filled;
using testing::SameBytes;
using testing::ServerOptions;
using testing::ServerThread;

// Where the server's handlers ran (written on the server's thread, read after
// the calls returned).
struct Seen {
  std::atomic<int> inline_in_fiber{0};
  std::atomic<int> inline_outside_fiber{0};
  std::atomic<int> blocking_in_fiber{0};
};

// META_STAT inline (echoes its header), FSYNC blocking (sleeps `delay`).
ServerOptions MixedServer(Seen* seen, Duration delay, bool inline_handlers = true) {
  ServerOptions so;
  so.rpc.inline_handlers = inline_handlers;
  so.setup = [seen, delay](RpcServer& s, Executor& ex) {
    s.Handle(
        Opcode::kMetaStat,
        [seen, &ex](Request& req) {
          (ex.InFiber() ? seen->inline_in_fiber : seen->inline_outside_fiber)++;
          Response r;
          r.header = req.header;
          return r;
        },
        HandlerMode::kInline);
    s.Handle(Opcode::kFsync, [seen, &ex, delay](Request&) {
      if (ex.InFiber()) seen->blocking_in_fiber++;
      ex.SleepFor(delay);
      return Response();
    });
  };
  return so;
}

Result<Reply> Stat(RpcClient& client, Connection* conn, const std::string& path) {
  CallArgs args;
  args.opcode = Opcode::kMetaStat;
  args.header = {reinterpret_cast<const std::byte*>(path.data()), path.size()};
  return client.Call(conn, args);
}

// A blocking call: the FSYNC handler sleeps in its fiber.
Status Fsync(RpcClient& client, Connection* conn) {
  CallArgs args;
  args.opcode = Opcode::kFsync;
  return client.Call(conn, args).status();
}

TEST(InlineHandler, RepliesFromTheCallbackAndBlockingOnesKeepTheirFiber) {
  Seen seen;
  ServerThread server(MixedServer(&seen, 1ms));
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    for (int i = 0; i < 100; ++i) {
      const std::string path = "/inline/" + std::to_string(i);
      auto r = Stat(*env.client, *conn, path);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(r->header.data()), r->header.size()), path);
    }
    EXPECT_TRUE(Fsync(*env.client, *conn).ok());
  });
  EXPECT_EQ(seen.inline_outside_fiber.load(), 100);
  EXPECT_EQ(seen.inline_in_fiber.load(), 0);
  EXPECT_EQ(seen.blocking_in_fiber.load(), 1);
  ServerStats st = server.Stats();
  EXPECT_EQ(st.per_opcode[static_cast<size_t>(Opcode::kMetaStat)], 100u);
  EXPECT_EQ(st.completed_per_opcode[static_cast<size_t>(Opcode::kMetaStat)], 100u);
  EXPECT_EQ(st.inflight, 0u);
}

TEST(InlineHandler, ConfigurationCanSendEveryHandlerToAFiber) {
  Seen seen;
  ServerThread server(MixedServer(&seen, 1ms, /*inline_handlers=*/false));
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    EXPECT_TRUE(Stat(*env.client, *conn, "/x").ok());
  });
  EXPECT_EQ(seen.inline_in_fiber.load(), 1);
  EXPECT_EQ(seen.inline_outside_fiber.load(), 0);
  EXPECT_EQ(server.OnServer([](RpcServer& s) { return s.mode(Opcode::kMetaStat); }), HandlerMode::kFiber);
}

TEST(InlineHandler, PingEchoesEveryPayloadSizeOverBothTransports) {
  for (const std::string tls : {"tcp", "shm"}) {
    const std::string registry = testing::MakeTempDir("registry");
    ASSERT_FALSE(registry.empty());
    ServerOptions so;
    so.ucx.tls = tls;
    so.registry_dir = registry;
    {
      ServerThread server(so);
      ASSERT_EQ(server.error(), "");
      EXPECT_EQ(server.OnServer([](RpcServer& s) { return s.mode(Opcode::kPing); }), HandlerMode::kInline);
      UcxConfig u;
      u.tls = tls;
      ClientEnv env({}, u);
      ASSERT_TRUE(env.ok());
      env.ex->Run([&] {
        auto conn = tls == "tcp" ? env.client->Connect("127.0.0.1", server.port())
                                 : env.client->ConnectRegistry(registry, "server");
        ASSERT_TRUE(conn.ok()) << conn.status().ToString();
        // Sizes around UCX's short, bcopy and rendezvous thresholds, twice
        // each so a held receive buffer is reused.
        for (size_t n : {size_t{1}, size_t{60}, size_t{64}, size_t{100}, size_t{200}, size_t{4096}, size_t{8000},
                         size_t{9000}, size_t{64 * 1024}, size_t{1 << 20}}) {
          for (int rep = 0; rep < 2; ++rep) {
            IoBuffer out = Filled(n, n + rep);
            IoBuffer expect = Filled(n, n + rep);
            IoBuffer in = IoBuffer::Allocate(n);
            Status s = env.client->Ping(*conn, &out, n, &in);
            ASSERT_TRUE(s.ok()) << tls << " " << n << ": " << s.ToString();
            EXPECT_TRUE(SameBytes(in, expect, n)) << tls << ": payload of " << n << " bytes came back different";
          }
        }
      });
    }
    EXPECT_TRUE(UnpublishAddress(registry, "server").ok());
    rmdir(registry.c_str());
  }
}

TEST(InlineHandler, AdmissionControlStillAnswersBusy) {
  // One slot, taken by a blocking call: an inline request must get BUSY too.
  Seen seen;
  ServerOptions so = MixedServer(&seen, 200ms);
  so.rpc.max_inflight = 1;
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.busy_retries = 0;
  ClientEnv env(cc);
  Status during;
  Status after;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    auto slow = env.ex->Spawn([&] { EXPECT_TRUE(Fsync(*env.client, *conn).ok()); });
    env.ex->SleepFor(50ms);
    during = Stat(*env.client, *conn, "/busy").status();
    env.ex->Join(slow);
    after = Stat(*env.client, *conn, "/free").status();
  });
  EXPECT_EQ(during.code(), StatusCode::kBusy) << during.ToString();
  EXPECT_NE(during.message().find("max_inflight 1"), std::string::npos) << during.message();
  EXPECT_TRUE(after.ok()) << after.ToString();
  EXPECT_EQ(server.Stats().rejected_busy, 1u);
}

TEST(InlineHandler, PerConnectionShareAppliesToInlineRequests) {
  Seen seen;
  ServerOptions so = MixedServer(&seen, 200ms);
  so.rpc.max_inflight = 10;
  so.rpc.max_inflight_per_conn = 2;
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.busy_retries = 0;
  ClientEnv env(cc);
  Status during;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 2; ++i) {
      hs.push_back(env.ex->Spawn([&] { EXPECT_TRUE(Fsync(*env.client, *conn).ok()); }));
    }
    env.ex->SleepFor(50ms);
    during = Stat(*env.client, *conn, "/share").status();
    for (auto& h : hs) env.ex->Join(h);
  });
  EXPECT_EQ(during.code(), StatusCode::kBusy) << during.ToString();
}

}  // namespace
}  // namespace benchfs

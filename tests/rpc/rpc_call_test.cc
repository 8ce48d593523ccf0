// SPDX-License-Identifier: BSD-3-Clause
// RPC calls between two executors on two threads: ping over both transports,
// payload echo (eager and rendezvous), 10 000 concurrent calls under
// admission control, replies never crossed, deadlines, BUSY, handler errors,
// the registry path and a parked server.
#include <atomic>
#include <vector>

#include <gtest/gtest.h>

#include "rpc/registry.h"
#include "measure/breakdown.h"
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

// tcp connects through the server's listener; shm through the registry (UCX's
// client-server flow only uses transports that connect endpoint to endpoint,
// so shared memory needs the worker-address path).
class RpcTransport : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    registry_ = testing::MakeTempDir("registry");
    ASSERT_FALSE(registry_.empty());
  }
  void TearDown() override {
    EXPECT_TRUE(UnpublishAddress(registry_, "server").ok());
    rmdir(registry_.c_str());
  }
  ServerOptions Server() const {
    ServerOptions so;
    so.ucx = Ucx();
    so.registry_dir = registry_;
    return so;
  }
  Result<Connection*> Connect(RpcClient& c, uint16_t port) {
    if (GetParam() == "tcp") return c.Connect("127.0.0.1", port);
    return c.ConnectRegistry(registry_, "server");
  }
  std::string registry_;

  UcxConfig Ucx() const {
    UcxConfig u;
    u.tls = GetParam();
    return u;
  }
};

TEST_P(RpcTransport, PingAndEchoEagerAndRendezvous) {
  ServerThread server(Server());
  ASSERT_EQ(server.error(), "");
  ClientEnv env({}, Ucx());
  ASSERT_TRUE(env.ok());
  env.ex->Run([&] {
    auto conn = Connect(*env.client, server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    EXPECT_TRUE(env.client->Ping(*conn).ok());
    const std::string tl = (*conn)->Transports();
    if (GetParam() == "tcp") {
      EXPECT_NE(tl.find("tcp/lo"), std::string::npos) << tl;
    } else {
      EXPECT_TRUE(tl.find("posix") != std::string::npos || tl.find("sysv") != std::string::npos) << tl;
      EXPECT_EQ(tl.find("tcp"), std::string::npos) << tl;
    }
    for (size_t n : {size_t{1}, size_t{64}, size_t{4096}, size_t{64 * 1024}, size_t{4 << 20}}) {
      IoBuffer out = Filled(n, n);
      IoBuffer expect = Filled(n, n);
      IoBuffer in = IoBuffer::Allocate(n);
      Status s = env.client->Ping(*conn, &out, n, &in);
      ASSERT_TRUE(s.ok()) << n << ": " << s.ToString();
      EXPECT_TRUE(SameBytes(in, expect, n)) << "payload of " << n << " bytes came back different";
      EXPECT_FALSE(out.empty());  // the request buffer is handed back
    }
  });
  EXPECT_EQ(server.Stats().malformed, 0u);
}

// An echo that holds each request for a moment, so requests pile up.
void SlowEcho(RpcServer& s, Executor& ex) {
  s.Handle(Opcode::kWriteChunk, [&s, &ex](Request& req) {
    // Each handler holds its admission slot until the server has answered
    // BUSY at least once (or 10 s pass), so admission control engages
    // however slowly the client's calls arrive (sanitizer builds, a loaded
    // machine); after that, 2 ms per request.
    const auto give_up = Now() + std::chrono::seconds(10);
    while (s.stats().rejected_busy == 0 && Now() < give_up) ex.SleepFor(std::chrono::milliseconds(1));
    ex.SleepFor(std::chrono::milliseconds(2));
    Response r;
    r.payload = std::move(req.payload);
    r.payload_len = req.payload_len;
    return r;
  });
}

TEST_P(RpcTransport, TenThousandConcurrentCallsUnderAdmissionControl) {
  ServerOptions so = Server();
  so.rpc.max_inflight = 64;
  so.setup = SlowEcho;
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.call_timeout = 60s;
  cc.busy_retries = 100000;
  ClientEnv env(cc, Ucx());
  ASSERT_TRUE(env.ok());
  constexpr int kCalls = 10000;
  int ok = 0;
  int crossed = 0;
  int failed = 0;
  env.ex->Run([&] {
    auto conn = Connect(*env.client, server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    std::vector<FiberHandle> hs;
    for (int i = 0; i < kCalls; ++i) {
      hs.push_back(env.ex->Spawn([&, i] {
        // Every call carries its own bytes; the echo must be exactly them.
        const size_t n = 8 + (i % 200);
        IoBuffer out = Filled(n, i);
        IoBuffer in = IoBuffer::Allocate(n);
        CallArgs args;
        args.opcode = Opcode::kWriteChunk;
        args.payload = &out;
        args.payload_len = n;
        args.reply_buffer = &in;
        Status s = env.client->Call(*conn, args).status();
        if (!s.ok()) {
          ++failed;
          ADD_FAILURE() << "call " << i << ": " << s.ToString();
          return;
        }
        IoBuffer expect = Filled(n, i);
        SameBytes(in, expect, n) ? ++ok : ++crossed;
      }));
    }
    for (auto& h : hs) env.ex->Join(h);
  });
  EXPECT_EQ(ok, kCalls);
  EXPECT_EQ(crossed, 0);
  EXPECT_EQ(failed, 0);
  ServerStats st = server.Stats();
  EXPECT_GT(st.rejected_busy, 0u) << "admission control never engaged";
  EXPECT_EQ(env.client->stats().busy_retries, st.rejected_busy);
  EXPECT_EQ(st.completed, static_cast<uint64_t>(kCalls) + 1);  // + the connect ping
  EXPECT_EQ(st.per_opcode[static_cast<size_t>(Opcode::kWriteChunk)], static_cast<uint64_t>(kCalls));
  EXPECT_EQ(st.inflight, 0u);
  EXPECT_EQ(env.client->pending_calls(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Tls, RpcTransport, ::testing::Values("tcp", "shm"),
                         [](const auto& info) { return info.param; });

TEST(RpcCall, HandlerErrorReachesCallerWithMessage) {
  ServerOptions so;
  so.setup = [](RpcServer& s, Executor&) {
    s.Handle(Opcode::kMetaStat, [](Request& req) {
      std::string path(reinterpret_cast<const char*>(req.header.data()), req.header.size());
      return Response::Error(Status::NotFound("no such file: " + path));
    });
  };
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    std::string path = "/a/b";
    CallArgs args;
    args.opcode = Opcode::kMetaStat;
    args.header = {reinterpret_cast<const std::byte*>(path.data()), path.size()};
    auto r = env.client->Call(*conn, args);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(r.status().message(), "no such file: /a/b");
  });
}

ServerOptions SlowFsyncServer(Duration delay) {
  ServerOptions so;
  so.setup = [delay](RpcServer& s, Executor& ex) {
    s.Handle(Opcode::kFsync, [&ex, delay](Request&) {
      ex.SleepFor(delay);
      return Response();
    });
  };
  return so;
}

TEST(RpcCall, DeadlineEndsASlowCallAndTheLateReplyIsDropped) {
  ServerThread server(SlowFsyncServer(300ms));
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    CallArgs args;
    args.opcode = Opcode::kFsync;
    args.deadline = Now() + 50ms;
    TimePoint t0 = Now();
    auto r = env.client->Call(*conn, args);
    const Duration took = Now() - t0;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kTimedOut);
    EXPECT_NE(r.status().message().find("no reply before the deadline"), std::string::npos);
    EXPECT_GE(took, 50ms);
    EXPECT_LT(took, 250ms);  // it did not wait for the handler
    EXPECT_EQ(env.client->pending_calls(), 0u);
    // The reply still arrives later and is counted, not delivered.
    for (int i = 0; i < 200 && env.client->stats().late_replies == 0; ++i) env.ex->SleepFor(5ms);
    EXPECT_EQ(env.client->stats().late_replies, 1u);
    // The connection keeps working.
    EXPECT_TRUE(env.client->Ping(*conn).ok());
  });
}

TEST(RpcCall, BusyWithoutRetriesReachesTheCaller) {
  ServerOptions so = SlowFsyncServer(100ms);
  so.rpc.max_inflight = 2;
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.busy_retries = 0;
  ClientEnv env(cc);
  int busy = 0;
  int ok = 0;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 6; ++i) {
      hs.push_back(env.ex->Spawn([&] {
        CallArgs args;
        args.opcode = Opcode::kFsync;
        auto r = env.client->Call(*conn, args);
        if (r.ok()) ++ok;
        if (!r.ok() && r.status().code() == StatusCode::kBusy) {
          ++busy;
          EXPECT_NE(r.status().message().find("max_inflight 2"), std::string::npos)
              << r.status().message();
        }
      }));
    }
    for (auto& h : hs) env.ex->Join(h);
  });
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(busy, 4);
  EXPECT_EQ(server.Stats().rejected_busy, 4u);
}

TEST(RpcCall, PerConnectionShareIsEnforced) {
  ServerOptions so = SlowFsyncServer(100ms);
  so.rpc.max_inflight = 10;
  so.rpc.max_inflight_per_conn = 3;
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.busy_retries = 0;
  ClientEnv env(cc);
  int busy = 0;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    std::vector<FiberHandle> hs;
    for (int i = 0; i < 5; ++i) {
      hs.push_back(env.ex->Spawn([&] {
        CallArgs args;
        args.opcode = Opcode::kFsync;
        if (env.client->Call(*conn, args).status().code() == StatusCode::kBusy) ++busy;
      }));
    }
    for (auto& h : hs) env.ex->Join(h);
  });
  EXPECT_EQ(busy, 2);
}

TEST(RpcCall, CancellationEndsAWaitingCall) {
  ServerThread server(SlowFsyncServer(200ms));
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    Cancellation cancel(*env.ex);
    Status result;
    auto caller = env.ex->Spawn([&] {
      CallArgs args;
      args.opcode = Opcode::kFsync;
      args.cancel = &cancel;
      result = env.client->Call(*conn, args).status();
    });
    env.ex->SleepFor(10ms);
    cancel.Cancel();
    env.ex->Join(caller);
    EXPECT_EQ(result.code(), StatusCode::kCancelled);
  });
}

TEST(RpcCall, ATracedCallShowsItsHandlerTimeInTheHandlerStage) {
  // The handler spins 2 ms (a delay in the handler stage alone).
  ServerOptions so;
  so.setup = [](RpcServer& s, Executor&) {
    s.Handle(Opcode::kFsync, [](Request& req) {
      EXPECT_NE(req.timing, nullptr) << "a traced request carries its timing";
      const TimePoint until = Now() + 2ms;
      while (Now() < until) {
      }
      return Response();
    });
  };
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    Breakdown b(true);
    for (int i = 0; i < 20; ++i) {
      CallArgs args;
      args.opcode = Opcode::kFsync;
      args.trace = true;
      const TimePoint sent = Now();
      auto r = env.client->Call(*conn, args);
      const TimePoint woke = Now();
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(r->trace.has_value());
      EXPECT_TRUE(r->header.empty()) << "the trace block is stripped from the reply";
      const ServerTrace& t = *r->trace;
      b.Record(SteadyNs(sent), SteadyNs(woke), t.received_ns, t.started_ns, t.sent_ns, t.io_ns, t.log_ns);
    }
    const BreakdownFigures f = b.Figures();
    EXPECT_GE(f.p50.stage_us[kStageHandler], 2000.0);
    EXPECT_LT(f.p50.stage_us[kStageHandler], f.p50.total_us);
    for (unsigned k : {kStageSend, kStageQueue, kStageStorage, kStageLog, kStageReply}) {
      EXPECT_LT(f.p50.stage_us[k], 1000.0) << StageName(k);
      EXPECT_GE(f.p50.stage_us[k], 0.0) << StageName(k);
    }
    // An untraced call carries none.
    CallArgs plain;
    plain.opcode = Opcode::kPing;
    auto r = env.client->Call(*conn, plain);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->trace.has_value());
  });
}

TEST(RpcCall, StatusReportsCounters) {
  ServerThread server;
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(env.client->Ping(*conn).ok());
    CallArgs args;
    args.opcode = Opcode::kStatus;
    auto r = env.client->Call(*conn, args);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto kv = DecodeCounters(r->payload.span().first(r->payload_len));
    ASSERT_TRUE(kv.ok());
    std::map<std::string, uint64_t> m(kv->begin(), kv->end());
    EXPECT_EQ(m["op.hello"], 1u);  // the connection opened with a HELLO
    EXPECT_EQ(m["op.ping"], 5u);
    EXPECT_EQ(m["op.status"], 1u);
    EXPECT_EQ(m["completed"], 6u);  // the STATUS call itself is still in flight
    EXPECT_EQ(m["inflight"], 1u);
    EXPECT_EQ(m["connections"], 1u);
    EXPECT_EQ(m["malformed"], 0u);
  });
}

TEST(RpcCall, ConnectThroughRegistry) {
  const std::string dir = testing::MakeTempDir("registry");
  ASSERT_FALSE(dir.empty());
  ServerOptions so;
  so.registry_dir = dir;
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->ConnectRegistry(dir, "server");
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    IoBuffer out = Filled(100000, 3);
    IoBuffer expect = Filled(100000, 3);
    IoBuffer in = IoBuffer::Allocate(100000);
    ASSERT_TRUE(env.client->Ping(*conn, &out, 100000, &in).ok());
    EXPECT_TRUE(SameBytes(in, expect, 100000));
    // A name nobody published: a clear timeout, not a hang.
    RpcClientConfig quick;
    auto missing = WaitForAddress(*env.ex, dir, "nobody", Now() + 30ms);
    EXPECT_EQ(missing.status().code(), StatusCode::kTimedOut);
    EXPECT_NE(missing.status().message().find("nobody.addr"), std::string::npos);
  });
  server.Stop();
  EXPECT_TRUE(UnpublishAddress(dir, "server").ok());
  rmdir(dir.c_str());
}

TEST(RpcCall, ConnectToNothingFailsClearly) {
  ServerThread server;  // only to find a port that is then closed
  ASSERT_EQ(server.error(), "");
  const uint16_t port = server.port();
  server.Stop();
  RpcClientConfig cc;
  cc.connect_timeout = 2s;
  ClientEnv env(cc);
  env.ex->Run([&] {
    TimePoint t0 = Now();
    auto conn = env.client->Connect("127.0.0.1", port);
    ASSERT_FALSE(conn.ok());
    EXPECT_NE(conn.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << conn.status().message();
    EXPECT_LT(Now() - t0, 2500ms);
  });
}

TEST(RpcCall, ParkedServerAnswers) {
  ServerOptions so;
  so.executor.idle_spin = Duration(0);  // park as soon as idle
  so.executor.complete_timeout = 5s;
  ServerThread server(so);
  ASSERT_EQ(server.error(), "");
  ClientEnv env;
  std::vector<double> parked_us;
  std::vector<double> spinning_us;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok());
    for (int i = 0; i < 20; ++i) {
      env.ex->SleepFor(5ms);  // the server goes idle and parks
      TimePoint t0 = Now();
      ASSERT_TRUE(env.client->Ping(*conn).ok());
      parked_us.push_back(ToMicros(Now() - t0));
    }
  });
  const uint64_t parks = server.ExecStats().parks;
  EXPECT_GE(parks, 20u);  // it parked between pings and still answered each
  ServerOptions spin;
  spin.executor.idle_spin = std::chrono::seconds(1);
  ServerThread busy_server(spin);
  ClientEnv env2;
  env2.ex->Run([&] {
    auto conn = env2.client->Connect("127.0.0.1", busy_server.port());
    ASSERT_TRUE(conn.ok());
    for (int i = 0; i < 20; ++i) {
      TimePoint t0 = Now();
      ASSERT_TRUE(env2.client->Ping(*conn).ok());
      spinning_us.push_back(ToMicros(Now() - t0));
    }
  });
  std::printf("[ parked ] ping round trip: parked server median %.1f us, spinning server median %.1f us\n",
              testing::Median(parked_us), testing::Median(spinning_us));
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// benchfs-rpc-test-peer: the other process in two-process RPC tests.
//
//   benchfs-rpc-test-peer server PORT_FILE [HOLD_MS]
//       serves PING/STATUS and a WRITE_CHUNK echo that holds each request
//       HOLD_MS (default 0) and an FSYNC that holds 10 s; writes the bound
//       port to PORT_FILE (write then rename) and serves until killed.
//   benchfs-rpc-test-peer client PORT CALLS
//       connects to 127.0.0.1:PORT, starts CALLS FSYNC calls, prints
//       "started" and waits until killed.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "rpc/client.h"
#include "rpc/server.h"
#include "runtime/executor.h"

using namespace benchfs;

static int Fail(const Status& s) {
  std::fprintf(stderr, "peer: %s\n", s.ToString().c_str());
  return 1;
}

static int Server(const std::string& port_file, int hold_ms) {
  auto ex = Executor::Create({});
  if (!ex.ok()) return Fail(ex.status());
  auto ucx = (*ex)->EnableUcx({});
  if (!ucx.ok()) return Fail(ucx.status());
  RpcServerConfig cfg;
  cfg.max_inflight = 64;
  auto srv = RpcServer::Create(**ucx, cfg);
  if (!srv.ok()) return Fail(srv.status());
  Executor& e = **ex;
  (*srv)->Handle(Opcode::kWriteChunk, [&e, hold_ms](Request& req) {
    if (hold_ms > 0) e.SleepFor(std::chrono::milliseconds(hold_ms));
    Response r;
    r.payload = std::move(req.payload);
    r.payload_len = req.payload_len;
    return r;
  });
  (*srv)->Handle(Opcode::kFsync, [&e](Request&) {
    e.SleepFor(std::chrono::seconds(10));
    return Response();
  });
  auto bound = (*srv)->Listen("127.0.0.1", 0);
  if (!bound.ok()) return Fail(bound.status());
  {
    std::ofstream out(port_file + ".tmp");
    out << bound->port << "\n";
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  e.Run([&] {
    for (;;) e.SleepFor(std::chrono::hours(1));
  });
  return 0;
}

static int Client(uint16_t port, int calls) {
  auto ex = Executor::Create({});
  if (!ex.ok()) return Fail(ex.status());
  auto ucx = (*ex)->EnableUcx({});
  if (!ucx.ok()) return Fail(ucx.status());
  auto client = RpcClient::Create(**ucx, {});
  if (!client.ok()) return Fail(client.status());
  Executor& e = **ex;
  int rc = 0;
  e.Run([&] {
    auto conn = (*client)->Connect("127.0.0.1", port);
    if (!conn.ok()) {
      rc = Fail(conn.status());
      return;
    }
    for (int i = 0; i < calls; ++i) {
      e.Spawn([&] {
        CallArgs args;
        args.opcode = Opcode::kFsync;
        args.deadline = Now() + std::chrono::hours(1);
        (void)(*client)->Call(*conn, args);
      });
    }
    e.SleepFor(std::chrono::milliseconds(50));
    std::printf("started\n");
    std::fflush(stdout);
    for (;;) e.SleepFor(std::chrono::hours(1));
  });
  return rc;
}

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "server" && argc >= 3) return Server(argv[2], argc > 3 ? std::atoi(argv[3]) : 0);
  if (mode == "client" && argc == 4) return Client(static_cast<uint16_t>(std::atoi(argv[2])), std::atoi(argv[3]));
  std::fprintf(stderr, "usage: %s server PORT_FILE [HOLD_MS] | client PORT CALLS\n", argv[0]);
  return 2;
}

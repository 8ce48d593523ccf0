// SPDX-License-Identifier: BSD-3-Clause
// benchfs-rpc-bench: the RPC path beside the bare UCX floor, same run.
//
//   BM_PingQD1/raw_ucx/<tl>/<bytes>  bare UCP AM ping-pong, busy progress, no runtime
//   BM_PingQD1/raw_ucx_untouched/<tl>/<bytes>  the same, the payload never read on arrival
//                                    (the server replies from its own buffer): ucx_perftest's way
//   BM_PingQD1/rpc/<tl>/<bytes>      the same round trip through executor + RpcClient/RpcServer
//                                    (the server's defaults: PING runs inline)
//   BM_PingQD1/rpc_inline/<tl>/<bytes>  PING inline in the server's UCX callback, explicitly
//   BM_PingQD1/rpc_fiber/<tl>/<bytes>   every handler in a fiber (inline_handlers = false)
//   BM_PingQD64/rpc/shm              64 calls in flight against one single-threaded server
//
// <tl>: tcp (UCX_TLS=tcp, connected through the listener) or shm
// (UCX_TLS=posix,sysv,self, connected by worker address). Each side runs on
// its own thread. Figures are round-trip times; ucx_perftest reports one-way
// latency (half of it).
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "benches/raw_ucx_ping.h"
#include "floor/network_floor.h"
#include "rpc/client.h"
#include "rpc/registry.h"
#include "rpc/server_thread.h"

namespace benchfs {
namespace {

// A temporary registry directory, removed at the end.
class TempRegistry {
 public:
  TempRegistry() {
    char tmpl[] = "/tmp/benchfs-bench-registry-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) dir_ = tmpl;
  }
  ~TempRegistry() {
    UnpublishAddress(dir_, "server").IgnoreError();  // a scratch directory, removed next
    rmdir(dir_.c_str());
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// `untouched`: neither side reads the payload it receives (the server replies
// from a buffer of its own), as ucx_perftest -t ucp_am_lat measures.
void PingRaw(benchmark::State& state, const std::string& tls, size_t len, bool untouched = false) {
  RawUcxPingServer server(tls, untouched);
  if (!server.status().ok()) return state.SkipWithError(server.status().ToString().c_str());
  RawPingClient client;
  client.set_copy_reply(!untouched);
  Status s = client.Connect(tls, "127.0.0.1", 0, server.address(), std::chrono::seconds(10));
  if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  for (auto _ : state) {
    if (!client.RoundTrip(len, len, Now() + std::chrono::seconds(5)).ok()) {
      return state.SkipWithError("raw ping failed");
    }
  }
}

// Client side: executor + UCX + RpcClient connected to a ServerThread.
struct RpcClientSide {
  std::unique_ptr<Executor> ex;
  std::unique_ptr<RpcClient> client;
  Status Init(const std::string& tls) {
    auto e = Executor::Create({});
    if (!e.ok()) return e.status();
    ex = std::move(e.value());
    UcxConfig u;
    u.tls = tls;
    auto ucx = ex->EnableUcx(u);
    if (!ucx.ok()) return ucx.status();
    auto c = RpcClient::Create(**ucx, {});
    if (!c.ok()) return c.status();
    client = std::move(c.value());
    return Status();
  }
  ~RpcClientSide() {
    client.reset();
    ex.reset();
  }
};

// How the server runs PING.
enum class PingMode { kDefault, kInline, kFiber };

void PingRpc(benchmark::State& state, const std::string& tls, size_t len, int qd,
             PingMode mode = PingMode::kDefault) {
  TempRegistry registry;
  ServerThreadOptions so;
  if (mode != PingMode::kDefault) so.rpc.inline_handlers = mode == PingMode::kInline;
  so.ucx.tls = tls;
  so.registry_dir = registry.dir();
  ServerThread server(so);
  if (!server.error().empty()) return state.SkipWithError(server.error().c_str());
  RpcClientSide side;
  Status s = side.Init(tls);
  if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  side.ex->Run([&] {
    auto conn = tls == "tcp" ? side.client->Connect("127.0.0.1", server.port())
                             : side.client->ConnectRegistry(registry.dir(), "server");
    if (!conn.ok()) return state.SkipWithError(conn.status().ToString().c_str());
    if (qd == 1) {
      IoBuffer out = IoBuffer::Allocate(len == 0 ? 1 : len);
      IoBuffer in = IoBuffer::Allocate(len == 0 ? 1 : len);
      for (auto _ : state) {
        if (!side.client->Ping(*conn, &out, len, &in).ok()) return state.SkipWithError("rpc ping failed");
      }
      return;
    }
    // QD N: N fibers keep one call each in flight; the benchmark loop hands
    // out the iterations.
    int64_t remaining = 0;
    for (auto _ : state) {
      state.PauseTiming();
      remaining = 100000;
      state.ResumeTiming();
      std::vector<FiberHandle> hs;
      for (int i = 0; i < qd; ++i) {
        hs.push_back(side.ex->Spawn([&] {
          IoBuffer out = IoBuffer::Allocate(len == 0 ? 1 : len);
          IoBuffer in = IoBuffer::Allocate(len == 0 ? 1 : len);
          while (remaining > 0) {
            --remaining;
            if (!side.client->Ping(*conn, &out, len, &in).ok()) {
              remaining = 0;
              state.SkipWithError("rpc ping failed");
            }
          }
        }));
      }
      for (auto& h : hs) side.ex->Join(h);
    }
    state.SetItemsProcessed(state.iterations() * 100000);
  });
}

void RegisterAll() {
  for (const std::string tls : {"tcp", "shm"}) {
    for (size_t len : {size_t{64}, size_t{4096}}) {
      const std::string suffix = tls + "/" + std::to_string(len);
      benchmark::RegisterBenchmark(("BM_PingQD1/raw_ucx/" + suffix).c_str(),
                                   [tls, len](benchmark::State& s) { PingRaw(s, tls, len); })
          ->MinTime(1.0)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BM_PingQD1/raw_ucx_untouched/" + suffix).c_str(),
                                   [tls, len](benchmark::State& s) { PingRaw(s, tls, len, true); })
          ->MinTime(1.0)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("BM_PingQD1/rpc/" + suffix).c_str(),
                                   [tls, len](benchmark::State& s) { PingRpc(s, tls, len, 1); })
          ->MinTime(1.0)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
      for (PingMode mode : {PingMode::kInline, PingMode::kFiber}) {
        const std::string name = mode == PingMode::kInline ? "rpc_inline/" : "rpc_fiber/";
        benchmark::RegisterBenchmark(("BM_PingQD1/" + name + suffix).c_str(),
                                     [tls, len, mode](benchmark::State& s) { PingRpc(s, tls, len, 1, mode); })
            ->MinTime(1.0)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  benchmark::RegisterBenchmark("BM_PingQD64/rpc/shm",
                               [](benchmark::State& s) { PingRpc(s, "shm", 64, 64); })
      ->Iterations(5)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace
}  // namespace benchfs

int main(int argc, char** argv) {
  benchfs::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

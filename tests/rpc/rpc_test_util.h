// Helpers for RPC tests: a server running on its own executor thread, and a
// client environment on the test's thread.
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "rpc/client.h"
#include "rpc/server.h"
#include "runtime/event.h"
#include "runtime/executor.h"

namespace benchfs::testing {

struct ServerOptions {
  RpcServerConfig rpc;
  UcxConfig ucx;
  ExecutorConfig executor;
  std::string registry_dir;                   // also publish there when set
  std::function<void(RpcServer&, Executor&)> setup;  // register handlers
};

// A server on its own thread and executor, listening on 127.0.0.1:<any>.
class ServerThread {
 public:
  explicit ServerThread(ServerOptions opts = {}) : opts_(std::move(opts)) {
    std::promise<std::string> ready;
    auto started = ready.get_future();
    thread_ = std::thread([this, &ready] { Main(ready); });
    error_ = started.get();
  }
  ~ServerThread() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    if (ex_ != nullptr) ex_->Post([this] { stop_->Set(); });
    thread_.join();
  }
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }

  // Runs fn on the server thread and returns its result.
  template <typename F>
  auto OnServer(F fn) -> decltype(fn(std::declval<RpcServer&>())) {
    using R = decltype(fn(std::declval<RpcServer&>()));
    std::promise<R> p;
    auto f = p.get_future();
    ex_->Post([&] { p.set_value(fn(*server_)); });
    return f.get();
  }
  ServerStats Stats() {
    return OnServer([](RpcServer& s) { return s.stats(); });
  }
  ExecutorStats ExecStats() {
    std::promise<ExecutorStats> p;
    auto f = p.get_future();
    ex_->Post([&] { p.set_value(ex_->stats()); });
    return f.get();
  }

 private:
  void Main(std::promise<std::string>& ready) {
    auto ex = Executor::Create(opts_.executor);
    if (!ex.ok()) return ready.set_value(ex.status().ToString());
    std::unique_ptr<Executor> executor = std::move(ex.value());
    auto ucx = executor->EnableUcx(opts_.ucx);
    if (!ucx.ok()) return ready.set_value(ucx.status().ToString());
    auto srv = RpcServer::Create(**ucx, opts_.rpc);
    if (!srv.ok()) return ready.set_value(srv.status().ToString());
    server_ = std::move(srv.value());
    if (opts_.setup) opts_.setup(*server_, *executor);
    auto bound = server_->Listen("127.0.0.1", 0);
    if (!bound.ok()) return ready.set_value(bound.status().ToString());
    port_ = bound->port;
    if (!opts_.registry_dir.empty()) {
      Status s = server_->Publish(opts_.registry_dir, "server");
      if (!s.ok()) return ready.set_value(s.ToString());
    }
    Event stop(*executor);
    stop_ = &stop;
    ex_ = executor.get();
    ready.set_value("");
    executor->Run([&] {
      stop.Wait();
      TimePoint give_up = Now() + std::chrono::seconds(5);
      while (server_->stats().inflight > 0 && Now() < give_up) {
        executor->SleepFor(std::chrono::milliseconds(1));
      }
    });
    server_.reset();
    executor.reset();
  }

  ServerOptions opts_;
  std::thread thread_;
  std::string error_;
  uint16_t port_ = 0;
  Executor* ex_ = nullptr;
  Event* stop_ = nullptr;
  std::unique_ptr<RpcServer> server_;
};

// A client executor with UCX and an RpcClient, on the calling thread.
struct ClientEnv {
  explicit ClientEnv(RpcClientConfig cfg = {}, UcxConfig ucx = {}, ExecutorConfig exc = {}) {
    auto e = Executor::Create(exc);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok()) return;
    ex = std::move(e.value());
    auto u = ex->EnableUcx(ucx);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    if (!u.ok()) return;
    auto c = RpcClient::Create(**u, cfg);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) client = std::move(c.value());
  }
  ~ClientEnv() {
    client.reset();
    ex.reset();
  }
  bool ok() const { return client != nullptr; }

  std::unique_ptr<Executor> ex;
  std::unique_ptr<RpcClient> client;
};

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline IoBuffer Filled(size_t n, uint64_t seed) {
  IoBuffer b = IoBuffer::Allocate(n);
  for (size_t i = 0; i < n; ++i) b.data()[i] = static_cast<std::byte>((i * 131 + seed * 7919) & 0xff);
  return b;
}

inline bool SameBytes(const IoBuffer& a, const IoBuffer& b, size_t n) {
  return a.size() >= n && b.size() >= n && std::memcmp(a.data(), b.data(), n) == 0;
}

}  // namespace benchfs::testing

// SPDX-License-Identifier: BSD-3-Clause
// ServerThread: an RpcServer on an executor of its own, on a thread of its
// own, listening on host:<any port> (and optionally published in a registry).
// For in-process servers: benchmarks that measure the RPC path between two
// executors, and tests.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "rpc/server.h"
#include "runtime/event.h"
#include "runtime/executor.h"

namespace benchfs {

struct ServerThreadOptions {
  RpcServerConfig rpc;
  UcxConfig ucx;
  ExecutorConfig executor;
  std::string host = "127.0.0.1";
  std::string registry_dir;     // publish as `registry_name` there when set
  std::string registry_name = "server";
  std::function<void(RpcServer&, Executor&)> setup;  // register handlers
  // Runs in a fiber on the server's executor after serving has stopped and
  // requests in flight have drained: close what setup opened.
  std::function<void()> teardown;
};

class ServerThread {
 public:
  explicit ServerThread(ServerThreadOptions opts = {});
  ~ServerThread() { Stop(); }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  // Stops serving (waiting up to 5 s for requests in flight) and joins.
  void Stop();
  // Empty when the server came up; otherwise what went wrong.
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }

  // Runs fn(server) on the server's thread and returns its result.
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
    return OnServer([this](RpcServer&) { return ex_->stats(); });
  }

 private:
  void Main(std::promise<std::string>& ready);

  ServerThreadOptions opts_;
  std::thread thread_;
  std::string error_;
  uint16_t port_ = 0;
  Executor* ex_ = nullptr;
  Event* stop_ = nullptr;
  std::unique_ptr<RpcServer> server_;
};

}  // namespace benchfs

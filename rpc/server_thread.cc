// SPDX-License-Identifier: BSD-3-Clause
// ServerThread: start-up handshake, the serving loop and shutdown.
#include "rpc/server_thread.h"

namespace benchfs {

ServerThread::ServerThread(ServerThreadOptions opts) : opts_(std::move(opts)) {
  std::promise<std::string> ready;
  auto started = ready.get_future();
  thread_ = std::thread([this, &ready] { Main(ready); });
  error_ = started.get();
  if (!error_.empty()) thread_.join();
}

void ServerThread::Stop() {
  if (!thread_.joinable()) return;
  ex_->Post([this] { stop_->Set(); });
  thread_.join();
}

void ServerThread::Main(std::promise<std::string>& ready) {
  auto ex = Executor::Create(opts_.executor);
  if (!ex.ok()) return ready.set_value(ex.status().ToString());
  std::unique_ptr<Executor> executor = std::move(ex.value());
  auto ucx = executor->EnableUcx(opts_.ucx);
  if (!ucx.ok()) return ready.set_value(ucx.status().ToString());
  auto srv = RpcServer::Create(**ucx, opts_.rpc);
  if (!srv.ok()) return ready.set_value(srv.status().ToString());
  server_ = std::move(srv.value());
  if (opts_.setup) opts_.setup(*server_, *executor);
  auto bound = server_->Listen(opts_.host, 0);
  if (!bound.ok()) return ready.set_value(bound.status().ToString());
  port_ = bound->port;
  if (!opts_.registry_dir.empty()) {
    Status s = server_->Publish(opts_.registry_dir, opts_.registry_name);
    if (!s.ok()) return ready.set_value(s.ToString());
  }
  Event stop(*executor);
  stop_ = &stop;
  ex_ = executor.get();
  ready.set_value("");
  executor->Run([&] {
    stop.Wait();
    server_->StopListening();
    const TimePoint give_up = Now() + std::chrono::seconds(5);
    while (server_->stats().inflight > 0 && Now() < give_up) {
      executor->SleepFor(std::chrono::milliseconds(1));
    }
    if (opts_.teardown) opts_.teardown();
  });
  server_.reset();
  executor.reset();
}

}  // namespace benchfs

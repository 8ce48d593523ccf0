// SPDX-License-Identifier: BSD-3-Clause
// In-process and child-process servers for sweep points.
#include "sweep/server_side.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "rpc/raw_ping.h"
#include "rpc/server_thread.h"
#include "service/daemon.h"
#include "service/fs_server.h"
#include "service/knob_registry.h"
#include "sweep/cpu_usage.h"
#include "sweep/daemon_process.h"
#include "sweep/sweep_paths.h"

namespace benchfs {
namespace {

class InProcessServer : public ServerSide {
 public:
  InProcessServer(const SweepPoint& p, const PointSettings& s) {
    const bool fs = Info(p.workload).kind == WorkloadKind::kEndToEnd;
    const bool gated = p.knobs.reactor_mode == ReactorMode::kGated;
    ServerThreadOptions so;
    so.executor = p.knobs;
    so.ucx = s.ucx;
    DaemonConfig daemon;  // the daemon's store settings
    daemon.chunks.data_dir = EndToEndDataDir(s.data_dir);
    so.rpc = daemon.rpc;
    so.rpc.limits.max_payload = std::max<uint64_t>(so.rpc.limits.max_payload, daemon.chunks.chunk_size);
    if (fs) {
      FsServerOptions fo;
      fo.chunks = daemon.chunks;
      fo.metadata.log_path = MetadataLogPath(daemon.chunks.data_dir);
      fo.metadata.durability = DurabilityPolicy::kNone;
      ::unlink(fo.metadata.log_path.c_str());
      so.setup = [this, fo](RpcServer& srv, Executor& ex) {
        auto f = FsServer::Open(ex, srv, fo);
        if (!f.ok()) {
          error_ = f.status().ToString();
          return;
        }
        fs_ = std::move(f.value());
        InstallEcho(ex);
      };
      so.teardown = [this, gated] {
        // Gated, Close() would wait for both gates once per open file; with
        // durability none there is nothing to flush, so the stores are dropped.
        if (!gated && fs_) {
          Status s = fs_->Close();
          if (!s.ok()) std::fprintf(stderr, "benchfs sweep: closing the server's stores: %s\n", s.ToString().c_str());
        }
        fs_.reset();
      };
    }
    if (!fs) so.setup = [this](RpcServer&, Executor& ex) { InstallEcho(ex); };
    thread_ = std::make_unique<ServerThread>(so);
  }

  // The bare echo a floor's round trip is measured against, as benchfsd offers it.
  void InstallEcho(Executor& ex) {
    if (ex.ucx() == nullptr) return;
    Status echo = InstallRawEcho(*ex.ucx());
    if (!echo.ok()) error_ = echo.ToString();
  }

  std::string error() const {
    if (!thread_->error().empty()) return thread_->error();
    return error_;
  }

  ServerRef ref() const override {
    ServerRef r;
    r.host = "127.0.0.1";
    r.port = thread_->port();
    return r;
  }

  ServerProbe Probe(FsClient&) override {
    ServerProbe p;
    ServerThread* t = thread_.get();
    p.cpu_s = [t] { return t->OnServer([](RpcServer&) { return ThreadCpuSeconds(); }); };
    p.parks = [t] { return t->ExecStats().parks; };
    p.same_process = true;
    return p;
  }

 private:
  // Made and destroyed on the server's thread; declared before thread_, so
  // they outlive it.
  std::unique_ptr<FsServer> fs_;
  std::string error_;
  std::unique_ptr<ServerThread> thread_;
};

class ChildServer : public ServerSide {
 public:
  explicit ChildServer(std::unique_ptr<DaemonProcess> d) : daemon_(std::move(d)) {}
  ~ChildServer() override { daemon_->Stop(std::chrono::seconds(2)); }

  ServerRef ref() const override {
    auto r = ServerRef::Parse(daemon_->address());
    return r.ok() ? *r : ServerRef{};
  }

  ServerProbe Probe(FsClient& client) override {
    ServerProbe p;
    const pid_t pid = daemon_->pid();
    p.cpu_s = [pid] { return PidCpuSeconds(pid); };
    p.parks = [&client]() -> uint64_t {
      auto kv = client.ServerStatus(0);
      if (!kv.ok()) return 0;
      for (const auto& [k, v] : *kv) {
        if (k == "executor_parks") return v;
      }
      return 0;
    };
    p.same_process = false;
    return p;
  }

 private:
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace

Result<std::unique_ptr<ServerSide>> StartServer(const SweepPoint& p, const PointSettings& s) {
  if (s.server == ServerMode::kInProcess) {
    auto srv = std::make_unique<InProcessServer>(p, s);
    const std::string err = srv->error();
    if (!err.empty()) return Status::Unavailable("in-process server: " + err);
    return std::unique_ptr<ServerSide>(std::move(srv));
  }
  const std::string dir = EndToEndDataDir(s.data_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ::unlink(MetadataLogPath(dir).c_str());
  std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn",
                                   "--durability", "none"};
  const std::vector<std::string> knobs = DaemonKnobFlags(p.knobs, s.ucx);
  args.insert(args.end(), knobs.begin(), knobs.end());
  if (s.allow_root) args.push_back("--allow-root");
  auto d = DaemonProcess::Start(s.benchfsd, args, s.data_dir + "/benchfsd.log", std::chrono::seconds(30));
  if (!d.ok()) return d.status();
  return std::unique_ptr<ServerSide>(std::make_unique<ChildServer>(std::move(d.value())));
}

}  // namespace benchfs

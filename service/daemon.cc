// SPDX-License-Identifier: BSD-3-Clause
// benchfsd: set-up, the serving loop, signals and the drain at shutdown.
#include "service/daemon.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

#include <spdlog/spdlog.h>

#include "rpc/hello.h"
#include "rpc/raw_ping.h"
#include "rpc/registry.h"
#include "rpc/server.h"
#include "runtime/cancellation.h"
#include "runtime/executor.h"
#include "runtime/uring_reactor.h"
#include "service/fs_server.h"
#include "service/listening_sockets.h"
#include "service/perf_log.h"
#include "service/proc_stats.h"
#include "service/readiness.h"
#include "storage/chunk_store.h"
#include "storage/data_dir_lock.h"

namespace benchfs {

namespace {

Status Invalid(const std::string& what) { return Status::InvalidArgument(what); }

std::string HostName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return host;
}

// Creates the pid file (owner-only, never through a symbolic link), refusing
// one that names a live process.
Status WritePidFile(const std::string& path) {
  std::ifstream in(path);
  long old = 0;
  if (in >> old && old > 0 && old != getpid() && ::kill(static_cast<pid_t>(old), 0) == 0) {
    return Status::AlreadyExists("pid file " + path + " names a running process (" + std::to_string(old) + ")");
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == ELOOP) return Status::PermissionDenied("pid file " + path + " is a symbolic link");
    return Status::FromErrno(errno, "pid file " + path);
  }
  // An existing file keeps its mode on open: narrow it.
  if (::fchmod(fd.get(), 0600) != 0) return Status::FromErrno(errno, "pid file " + path);
  const std::string text = std::to_string(getpid()) + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return Status::FromErrno(errno, "pid file " + path);
  }
  return Status();
}

// The numeric IP address `host` resolves to; "" if it does not resolve.
std::string NumericAddress(const std::string& host, uint16_t port) {
  auto resolved = ResolveAddress(host, port);
  if (!resolved.ok()) return "";
  char ip[INET6_ADDRSTRLEN] = {};
  const auto& ss = resolved->storage;
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, ip, sizeof(ip));
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, ip, sizeof(ip));
  }
  return ip;
}

// One run of benchfsd, in three phases:
//   SetUp()  outside the executor loop: acquires everything, then announces
//            readiness; or returns the one problem, and nothing is served;
//   Serve()  in the loop: serves until SIGINT/SIGTERM or a SHUTDOWN request;
//   Drain()  in the loop: stops serving, lets requests in flight finish and
//            flushes the stores.
// Members are declared in the order SetUp() acquires them and are released
// in reverse when the Daemon is destroyed, but for the stores, which outlive
// the RPC server.
class Daemon {
 public:
  // `on_ready` must outlive the Daemon.
  Daemon(const DaemonConfig& cfg, const std::function<void(const DaemonInfo&)>& on_ready)
      : cfg_(cfg), on_ready_(on_ready) {}

  // In order: the root check, the token, the log level, SIGINT/SIGTERM into
  // a signalfd (before any thread exists - UCX starts some - so every thread
  // inherits the mask), the listen address, the open-file limit, the data-dir
  // lock, the executor with UCX, the RPC server with the stores behind it,
  // listening, publishing, the pid file, the perf log; then the readiness
  // line on stdout and `on_ready` (which may block).
  Status SetUp();
  // After SetUp() succeeded: Serve() then Drain() on the executor; then
  // removes the pid file. Returns the exit code (Drain()'s).
  int Run();

 private:
  Status CheckConfig();
  Status BlockSignals();
  Status ParseListen();
  // Raises the soft open-file limit towards the hard one, then takes the
  // data-dir lock (before anything there is read).
  Status PrepareDataDir();
  Status StartExecutor();
  Status StartServer();
  // Listens, publishes the registry entry, writes the pid file and logs every
  // port the daemon listens on.
  Status Publish();
  Status OpenPerfLog();
  Status Announce();

  // From a fiber: starts the perf log and waits for a signal or SHUTDOWN.
  void Serve();
  // From a fiber: waits on the signalfd until a signal arrives (then asks
  // the service to shut down) or `stop` is cancelled.
  void WatchSignals(Cancellation& stop);
  // From a fiber: stops listening, answers new requests UNAVAILABLE, removes
  // the registry entry, waits up to drain_timeout for requests in flight,
  // stops the perf log and closes the stores. Returns 1 if requests were
  // still in flight or flushing failed, else 0.
  int Drain();

  const DaemonConfig& cfg_;
  const std::function<void(const DaemonInfo&)>& on_ready_;
  std::string token_;
  UniqueFd sigfd_;
  std::string host_;
  uint16_t port_ = 0;
  ChunkStoreOptions chunks_;  // cfg_.chunks with the open-file cache fitted to the limit
  std::optional<DataDirLock> lock_;
  UcxConfig ucx_config_;
  std::unique_ptr<Executor> ex_;
  UcxReactor* ucx_ = nullptr;
  std::unique_ptr<FsServer> fs_;  // outlives server_, which may hold its receive buffers
  std::unique_ptr<RpcServer> server_;
  std::string where_;
  std::string registry_name_;
  std::unique_ptr<PerfLog> perf_;
};

Status Daemon::SetUp() {
  for (Status (Daemon::*step)() : {&Daemon::CheckConfig, &Daemon::BlockSignals, &Daemon::ParseListen,
                                   &Daemon::PrepareDataDir, &Daemon::StartExecutor, &Daemon::StartServer,
                                   &Daemon::Publish, &Daemon::OpenPerfLog, &Daemon::Announce}) {
    Status s = (this->*step)();
    if (!s.ok()) return s;
  }
  return Status();
}

Status Daemon::CheckConfig() {
  if (::geteuid() == 0 && !cfg_.allow_root) {
    return Status::PermissionDenied("refusing to run as root: benchfsd needs no privileges, so run it as an ordinary user "
                  "(or pass --allow-root to run it as root anyway)");
  }
  if (!cfg_.token_file.empty()) {
    auto t = LoadTokenFile(cfg_.token_file);
    if (!t.ok()) return Invalid("--token-file: " + t.status().message());
    token_ = std::move(t.value());
  }
  auto level = spdlog::level::from_str(cfg_.log_level);
  if (level == spdlog::level::off && cfg_.log_level != "off") {
    return Invalid("log level '" + cfg_.log_level + "' is unknown: use trace, debug, info, warn, error or off");
  }
  spdlog::set_level(level);
  spdlog::set_pattern("benchfsd %Y-%m-%dT%H:%M:%S.%e %l: %v");
  return Status();
}

Status Daemon::BlockSignals() {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  sigfd_ = UniqueFd(signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!sigfd_.valid()) return Status::FromErrno(errno, "signalfd");
  return Status();
}

Status Daemon::ParseListen() {
  if (!cfg_.listen.empty()) {
    auto hp = SplitHostPort(cfg_.listen);
    if (!hp.ok()) return Invalid("--listen: " + hp.status().message());
    host_ = hp->first;
    port_ = hp->second;
  }
  if (cfg_.listen.empty() && cfg_.registry_dir.empty() && !on_ready_) {
    return Invalid("nothing to serve on: give --listen host:port and/or --registry-dir DIR");
  }
  return Status();
}

Status Daemon::PrepareDataDir() {
  // Chunk files kept open need descriptors: clamp the cache to what the
  // limit allows.
  chunks_ = cfg_.chunks;
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    const rlim_t want = std::min<rlim_t>(nofile.rlim_max, cfg_.chunks.max_open_files + 1024);
    if (nofile.rlim_cur < want) {
      nofile.rlim_cur = want;
      setrlimit(RLIMIT_NOFILE, &nofile);
      getrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (nofile.rlim_cur < chunks_.max_open_files + 256) {
      chunks_.max_open_files = static_cast<uint32_t>(std::max<rlim_t>(16, nofile.rlim_cur / 2));
      SPDLOG_WARN("open-file limit {}: keeping at most {} chunk files open", nofile.rlim_cur,
                  chunks_.max_open_files);
    }
  }
  // One daemon per data dir.
  if (cfg_.chunks.backend != ChunkBackendKind::kMemory) {
    auto l = DataDirLock::Acquire(cfg_.chunks.data_dir);
    if (!l.ok()) return l.status();
    lock_.emplace(std::move(l.value()));
  }
  return Status();
}

Status Daemon::StartExecutor() {
  // UCX opens listening sockets of its own (one per network device its
  // transports use): keep them on the device of the --listen address, so a
  // daemon told to listen on loopback opens no port elsewhere.
  ucx_config_ = cfg_.ucx;
  if (ucx_config_.net_devices.empty() && std::getenv("UCX_NET_DEVICES") == nullptr && !host_.empty()) {
    const std::string ip = NumericAddress(host_, port_);
    if (!ip.empty()) ucx_config_.net_devices = InterfaceHolding(ip);
  }
  auto ex = Executor::Create(cfg_.executor);
  if (!ex.ok()) return ex.status();
  ex_ = std::move(ex.value());
  auto ucx = ex_->EnableUcx(ucx_config_);
  if (!ucx.ok()) return ucx.status();
  ucx_ = *ucx;
  return Status();
}

Status Daemon::StartServer() {
  RpcServerConfig rpc = cfg_.rpc;
  // The largest request worth receiving is one chunk: receive memory is then
  // bounded by max_inflight x chunk_size, whatever clients send.
  rpc.limits.max_payload = cfg_.chunks.chunk_size;
  rpc.token = token_;
  auto server = RpcServer::Create(*ucx_, rpc);
  if (!server.ok()) return server.status();
  server_ = std::move(server.value());

  FsServerOptions fo;
  fo.chunks = chunks_;
  // The metadata log is synced as the chunks are.
  fo.metadata.durability = cfg_.chunks.durability;
  fo.metadata.group_interval = cfg_.chunks.group_interval;
  if (cfg_.metadata_log && cfg_.chunks.backend != ChunkBackendKind::kMemory) {
    fo.metadata.log_path = MetadataLogPath(cfg_.chunks.data_dir);
  }
  auto fs = FsServer::Open(*ex_, *server_, fo);
  if (!fs.ok()) return fs.status();
  fs_ = std::move(fs.value());
  const MetadataStore& meta = fs_->metadata();
  if (meta.recovery().records > 0) {
    SPDLOG_INFO("metadata log: replayed {} records ({} entries)", meta.recovery().records, meta.size());
  }

  server_->AddStatusExtender([&ex = *ex_](std::vector<std::pair<std::string, uint64_t>>& kv) {
    const ProcStats p = ReadProcStats();
    kv.emplace_back("threads", p.threads);
    kv.emplace_back("io_workers", p.io_workers);
    kv.emplace_back("rss_bytes", p.rss_bytes);
    kv.emplace_back("vms_bytes", p.vms_bytes);
    kv.emplace_back("executor_ticks", ex.stats().ticks);
    kv.emplace_back("executor_parks", ex.stats().parks);
    kv.emplace_back("boot_id", BootIdPrefix());
  });
  // The raw echo (the --baseline floor) is a bare active message with no
  // RPC header, so it cannot take part in the HELLO exchange: a daemon with a
  // token does not offer it.
  if (token_.empty()) return InstallRawEcho(*ucx_);
  return Status();
}

Status Daemon::Publish() {
  if (!cfg_.listen.empty()) {
    auto bound = server_->Listen(host_, port_);
    if (!bound.ok()) return bound.status();
    port_ = bound->port;
    where_ = bound->ToString();
  }
  registry_name_ = cfg_.registry_name;
  if (!cfg_.registry_dir.empty()) {
    if (registry_name_.empty()) {
      registry_name_ = HostName() + "-" + (port_ != 0 ? std::to_string(port_) : std::to_string(getpid()));
    }
    Status s = server_->Publish(cfg_.registry_dir, registry_name_);
    if (!s.ok()) return s;
    where_ += (where_.empty() ? "" : " and ") + RegistryPath(cfg_.registry_dir, registry_name_);
  }
  if (!cfg_.pid_file.empty()) {
    Status s = WritePidFile(cfg_.pid_file);
    if (!s.ok()) return s;
  }
  // Every TCP port the daemon listens on (the bootstrap port and UCX's own).
  const std::vector<ListeningSocket> listening = OwnListeningSockets();
  std::string ports;
  for (const ListeningSocket& l : listening) ports += (ports.empty() ? "" : " ") + l.ToString();
  const char* env_devices = std::getenv("UCX_NET_DEVICES");
  const std::string devices =
      !ucx_config_.net_devices.empty() ? ucx_config_.net_devices : env_devices != nullptr ? env_devices : "all";
  SPDLOG_INFO("listening on tcp {} (ucx net devices: {})", ports.empty() ? "-" : ports, devices);
  server_->AddStatusExtender([listening, devices](std::vector<std::pair<std::string, uint64_t>>& kv) {
    kv.emplace_back("net_devices." + devices, 1);
    for (const ListeningSocket& l : listening) kv.emplace_back("listen." + l.ToString(), l.port);
  });
  return Status();
}

Status Daemon::OpenPerfLog() {
  if (cfg_.perf_log.empty()) return Status();
  auto p = PerfLog::Open(*ex_, cfg_.perf_log, *server_, std::chrono::seconds(1),
                         [&store = fs_->chunks()] { return store.Usage(); });
  if (!p.ok()) return p.status();
  perf_ = std::move(p.value());
  return Status();
}

Status Daemon::Announce() {
  SPDLOG_INFO("serving on {} ({}; {}; reactor {} submit_timeout={} complete_timeout={})", where_,
              fs_->chunks().Describe(), cfg_.ucx.tls.empty() ? "ucx tls=default" : "ucx tls=" + cfg_.ucx.tls,
              ReactorModeName(cfg_.executor.reactor_mode), FormatDuration(cfg_.executor.submit_timeout),
              FormatDuration(cfg_.executor.complete_timeout));
  // Launchers wait for this line.
  std::fputs(FormatReadyLine(where_).c_str(), stdout);
  std::fflush(stdout);
  if (!on_ready_) return Status();
  DaemonInfo info;
  if (!cfg_.listen.empty()) info.listen_address = where_.substr(0, where_.find(' '));
  auto addr = ucx_->WorkerAddress();
  if (!addr.ok()) return addr.status();
  info.worker_address = std::move(addr.value());
  on_ready_(info);
  return Status();
}

int Daemon::Run() {
  int exit_code = 0;
  ex_->Run([&] {
    Cancellation stop_signals(*ex_);
    FiberHandle signals = ex_->Spawn([&] { WatchSignals(stop_signals); });
    Serve();
    exit_code = Drain();
    stop_signals.Cancel();
    ex_->Join(signals);
  });
  if (!cfg_.pid_file.empty()) ::unlink(cfg_.pid_file.c_str());
  SPDLOG_INFO("stopped after {} requests", server_->stats().completed);
  return exit_code;
}

void Daemon::Serve() {
  if (perf_) perf_->Start();
  fs_->service().shutdown_requested().Wait();
}

void Daemon::WatchSignals(Cancellation& stop) {
  while (true) {
    auto r = ex_->uring().PollAdd(sigfd_.get(), POLLIN, {kNoDeadline, &stop});
    if (!r.ok()) return;
    signalfd_siginfo si{};
    if (::read(sigfd_.get(), &si, sizeof(si)) == sizeof(si)) {
      SPDLOG_INFO("received {}, shutting down", strsignal(static_cast<int>(si.ssi_signo)));
      fs_->service().shutdown_requested().Set();
      return;
    }
  }
}

int Daemon::Drain() {
  int exit_code = 0;
  SPDLOG_INFO("shutting down: {} requests in flight", server_->stats().inflight);
  server_->StopListening();
  server_->BeginDrain();
  if (!cfg_.registry_dir.empty()) {
    Status s = UnpublishAddress(cfg_.registry_dir, registry_name_);
    if (!s.ok()) SPDLOG_WARN("the registry entry stays behind: {}", s.message());
  }
  const TimePoint give_up = Now() + cfg_.drain_timeout;
  while (server_->stats().inflight > 0 && Now() < give_up) ex_->SleepFor(std::chrono::milliseconds(1));
  if (server_->stats().inflight > 0) {
    SPDLOG_WARN("{} requests still in flight after {}", server_->stats().inflight,
                FormatDuration(cfg_.drain_timeout));
    exit_code = 1;
  }
  if (perf_) perf_->Stop();
  Status flushed = fs_->Close();
  if (!flushed.ok()) {
    std::fprintf(stderr, "benchfsd: flushing at shutdown failed: %s\n", flushed.ToString().c_str());
    exit_code = 1;
  }
  return exit_code;
}

}  // namespace

int RunDaemon(const DaemonConfig& cfg, const std::function<void(const DaemonInfo&)>& on_ready) {
  Daemon daemon(cfg, on_ready);
  Status s = daemon.SetUp();
  if (!s.ok()) {
    std::fprintf(stderr, "benchfsd: %s\n", s.message().c_str());
    return 1;
  }
  return daemon.Run();
}

}  // namespace benchfs

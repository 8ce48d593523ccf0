// benchfsd: start-up, the serving loop, signals and shutdown.
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
#include "service/fs_service.h"
#include "service/listening_sockets.h"
#include "service/perf_log.h"
#include "service/proc_stats.h"
#include "storage/chunk_store.h"
#include "storage/data_dir_lock.h"
#include "storage/metadata_store.h"

namespace benchfs {

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "benchfsd: %s\n", what.c_str());
  return 1;
}

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
    return Status(StatusCode::kAlreadyExists,
                  "pid file " + path + " names a running process (" + std::to_string(old) + ")");
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == ELOOP) return Status(StatusCode::kPermissionDenied, "pid file " + path + " is a symbolic link");
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

}  // namespace

int RunDaemon(const DaemonConfig& cfg, const std::function<void(const DaemonInfo&)>& on_ready) {
  if (::geteuid() == 0 && !cfg.allow_root) {
    return Fail("refusing to run as root: benchfsd needs no privileges, so run it as an ordinary user "
                "(or pass --allow-root to run it as root anyway)");
  }
  std::string token;
  if (!cfg.token_file.empty()) {
    auto t = LoadTokenFile(cfg.token_file);
    if (!t.ok()) return Fail("--token-file: " + t.status().message());
    token = std::move(t.value());
  }
  auto level = spdlog::level::from_str(cfg.log_level);
  if (level == spdlog::level::off && cfg.log_level != "off") {
    return Fail("log level '" + cfg.log_level + "' is unknown: use trace, debug, info, warn, error or off");
  }
  spdlog::set_level(level);
  spdlog::set_pattern("benchfsd %Y-%m-%dT%H:%M:%S.%e %l: %v");

  // Signals become readable events before any thread exists (UCX starts
  // some), so every thread inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  UniqueFd sigfd(signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!sigfd.valid()) return Fail(Status::FromErrno(errno, "signalfd").message());

  std::string host;
  uint16_t port = 0;
  if (!cfg.listen.empty()) {
    auto hp = SplitHostPort(cfg.listen);
    if (!hp.ok()) return Fail("--listen: " + hp.status().message());
    host = hp->first;
    port = hp->second;
  }
  if (cfg.listen.empty() && cfg.registry_dir.empty() && !on_ready) {
    return Fail("nothing to serve on: give --listen host:port and/or --registry-dir DIR");
  }

  // Chunk files kept open need descriptors: raise the soft limit towards the
  // hard one, and clamp the cache to what the limit allows.
  DaemonConfig effective = cfg;
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    const rlim_t want = std::min<rlim_t>(nofile.rlim_max, cfg.chunks.max_open_files + 1024);
    if (nofile.rlim_cur < want) {
      nofile.rlim_cur = want;
      setrlimit(RLIMIT_NOFILE, &nofile);
      getrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (nofile.rlim_cur < effective.chunks.max_open_files + 256) {
      effective.chunks.max_open_files = static_cast<uint32_t>(std::max<rlim_t>(16, nofile.rlim_cur / 2));
      SPDLOG_WARN("open-file limit {}: keeping at most {} chunk files open", nofile.rlim_cur,
                  effective.chunks.max_open_files);
    }
  }

  // One daemon per data dir: the lock comes before anything there is read.
  std::optional<DataDirLock> lock;
  if (cfg.chunks.backend != ChunkBackendKind::kMemory) {
    auto l = DataDirLock::Acquire(cfg.chunks.data_dir);
    if (!l.ok()) return Fail(l.status().message());
    lock.emplace(std::move(l.value()));
  }

  // UCX opens listening sockets of its own (one per network device its
  // transports use): keep them on the device of the --listen address, so a
  // daemon told to listen on loopback opens no port elsewhere.
  UcxConfig ucx_config = cfg.ucx;
  if (ucx_config.net_devices.empty() && std::getenv("UCX_NET_DEVICES") == nullptr && !host.empty()) {
    auto resolved = ResolveAddress(host, port);
    if (resolved.ok()) {
      char ip[INET6_ADDRSTRLEN] = {};
      const auto& ss = resolved->storage;
      if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, ip, sizeof(ip));
      } else {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, ip, sizeof(ip));
      }
      ucx_config.net_devices = InterfaceHolding(ip);
    }
  }

  auto ex_or = Executor::Create(cfg.executor);
  if (!ex_or.ok()) return Fail(ex_or.status().message());
  Executor& ex = **ex_or;
  auto ucx = ex.EnableUcx(ucx_config);
  if (!ucx.ok()) return Fail(ucx.status().message());

  auto chunks = ChunkStore::Open(ex, effective.chunks);
  if (!chunks.ok()) return Fail(chunks.status().message());
  MetadataStoreOptions mo;
  mo.durability = cfg.chunks.durability;
  mo.group_interval = cfg.chunks.group_interval;
  if (cfg.metadata_log && cfg.chunks.backend != ChunkBackendKind::kMemory) {
    mo.log_path = cfg.chunks.data_dir + "/metadata.log";
  }
  auto meta = MetadataStore::Open(ex, mo);
  if (!meta.ok()) return Fail(meta.status().message());
  if (meta.value()->recovery().records > 0) {
    SPDLOG_INFO("metadata log: replayed {} records ({} entries)", meta.value()->recovery().records,
                meta.value()->size());
  }

  RpcServerConfig rpc = cfg.rpc;
  // The largest request worth receiving is one chunk: receive memory is then
  // bounded by max_inflight x chunk_size, whatever clients send.
  rpc.limits.max_payload = cfg.chunks.chunk_size;
  rpc.token = token;
  auto server = RpcServer::Create(**ucx, rpc);
  if (!server.ok()) return Fail(server.status().message());
  FsService service(ex, **server, **chunks, **meta);
  service.Install();
  (*server)->AddStatusExtender([&ex](std::vector<std::pair<std::string, uint64_t>>& kv) {
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
  Status s;
  if (token.empty()) {
    s = InstallRawEcho(**ucx);
    if (!s.ok()) return Fail(s.message());
  }

  std::string where;
  if (!cfg.listen.empty()) {
    auto bound = (*server)->Listen(host, port);
    if (!bound.ok()) return Fail(bound.status().message());
    port = bound->port;
    where = bound->ToString();
  }
  std::string registry_name = cfg.registry_name;
  if (!cfg.registry_dir.empty()) {
    if (registry_name.empty()) {
      registry_name = HostName() + "-" + (port != 0 ? std::to_string(port) : std::to_string(getpid()));
    }
    s = (*server)->Publish(cfg.registry_dir, registry_name);
    if (!s.ok()) return Fail(s.message());
    where += (where.empty() ? "" : " and ") + RegistryPath(cfg.registry_dir, registry_name);
  }
  if (!cfg.pid_file.empty()) {
    s = WritePidFile(cfg.pid_file);
    if (!s.ok()) return Fail(s.message());
  }
  // Every TCP port the daemon listens on (the bootstrap port and UCX's own).
  const std::vector<ListeningSocket> listening = OwnListeningSockets();
  std::string ports;
  for (const ListeningSocket& l : listening) ports += (ports.empty() ? "" : " ") + l.ToString();
  const char* env_devices = std::getenv("UCX_NET_DEVICES");
  const std::string devices =
      !ucx_config.net_devices.empty() ? ucx_config.net_devices : env_devices != nullptr ? env_devices : "all";
  SPDLOG_INFO("listening on tcp {} (ucx net devices: {})", ports.empty() ? "-" : ports, devices);
  (*server)->AddStatusExtender([listening, devices](std::vector<std::pair<std::string, uint64_t>>& kv) {
    kv.emplace_back("net_devices." + devices, 1);
    for (const ListeningSocket& l : listening) kv.emplace_back("listen." + l.ToString(), l.port);
  });
  std::unique_ptr<PerfLog> perf;
  if (!cfg.perf_log.empty()) {
    auto p = PerfLog::Open(ex, cfg.perf_log, **server, std::chrono::seconds(1),
                           [&store = **chunks] { return store.Usage(); });
    if (!p.ok()) return Fail(p.status().message());
    perf = std::move(p.value());
  }
  SPDLOG_INFO("serving on {} ({}; {}; reactor {} submit_timeout={} complete_timeout={})", where,
              (*chunks)->Describe(), cfg.ucx.tls.empty() ? "ucx tls=default" : "ucx tls=" + cfg.ucx.tls,
              ReactorModeName(cfg.executor.reactor_mode), FormatDuration(cfg.executor.submit_timeout),
              FormatDuration(cfg.executor.complete_timeout));
  // Launchers wait for this line.
  std::printf("benchfsd ready on %s\n", where.empty() ? "a worker address handed to the launcher" : where.c_str());
  std::fflush(stdout);
  if (on_ready) {
    DaemonInfo info;
    if (!cfg.listen.empty()) info.listen_address = where.substr(0, where.find(' '));
    auto addr = (*ucx)->WorkerAddress();
    if (!addr.ok()) return Fail(addr.status().message());
    info.worker_address = std::move(addr.value());
    on_ready(info);
  }

  int exit_code = 0;
  ex.Run([&] {
    if (perf) perf->Start();
    Cancellation stop_signals(ex);
    FiberHandle signals = ex.Spawn([&] {
      while (true) {
        auto r = ex.uring().PollAdd(sigfd.get(), POLLIN, {kNoDeadline, &stop_signals});
        if (!r.ok()) return;
        signalfd_siginfo si{};
        if (::read(sigfd.get(), &si, sizeof(si)) == sizeof(si)) {
          SPDLOG_INFO("received {}, shutting down", strsignal(static_cast<int>(si.ssi_signo)));
          service.shutdown_requested().Set();
          return;
        }
      }
    });
    service.shutdown_requested().Wait();
    RpcServer& srv = **server;
    SPDLOG_INFO("shutting down: {} requests in flight", srv.stats().inflight);
    srv.StopListening();
    srv.BeginDrain();
    if (!cfg.registry_dir.empty()) UnpublishAddress(cfg.registry_dir, registry_name);
    const TimePoint give_up = Now() + cfg.drain_timeout;
    while (srv.stats().inflight > 0 && Now() < give_up) ex.SleepFor(std::chrono::milliseconds(1));
    if (srv.stats().inflight > 0) {
      SPDLOG_WARN("{} requests still in flight after {}", srv.stats().inflight, FormatDuration(cfg.drain_timeout));
      exit_code = 1;
    }
    if (perf) perf->Stop();
    Status closed = (*chunks)->Close();
    Status synced = (*meta)->Close();
    if (!closed.ok() || !synced.ok()) {
      std::fprintf(stderr, "benchfsd: flushing at shutdown failed: %s\n",
                   (!closed.ok() ? closed : synced).ToString().c_str());
      exit_code = 1;
    }
    stop_signals.Cancel();
    ex.Join(signals);
  });
  if (!cfg.pid_file.empty()) ::unlink(cfg.pid_file.c_str());
  SPDLOG_INFO("stopped after {} requests", (*server)->stats().completed);
  return exit_code;
}

}  // namespace benchfs

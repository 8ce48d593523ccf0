// SPDX-License-Identifier: BSD-3-Clause
// The benchfsd daemon: its configuration (every knob, loadable from TOML and
// overridable by flags) and its life cycle - start, serve, and an orderly
// shutdown on SIGINT/SIGTERM or a SHUTDOWN request: stop accepting, let
// requests in flight finish (new ones get UNAVAILABLE), flush per the
// durability policy, remove the registry entry and pid file, exit 0.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rpc/rpc_config.h"
#include "runtime/executor_config.h"
#include "runtime/ucx_reactor.h"
#include "storage/chunk_store_options.h"

namespace benchfs {

struct DaemonConfig {
  std::string listen = "127.0.0.1:7100";  // "" = no listener (registry only)
  std::string registry_dir;
  std::string registry_name;  // default: <hostname>-<port or pid>
  std::string pid_file;
  std::string perf_log;
  std::string token_file;  // shared token for the HELLO exchange (rpc/hello.h)
  // Run as root only when asked: a command-line flag, deliberately not a
  // TOML key, so a config file cannot grant it.
  bool allow_root = false;
  std::string log_level = "info";
  bool metadata_log = true;
  Duration drain_timeout = std::chrono::seconds(10);
  ExecutorConfig executor;
  UcxConfig ucx;
  RpcServerConfig rpc;
  ChunkStoreOptions chunks;

  DaemonConfig() {
    chunks.data_dir = "benchfsd-data";
    // Buffered io_uring writes to ext4 complete in kernel workers; without
    // COOP_TASKRUN each completion interrupts the executor.
    executor.ring_setup = RingSetup::kCoopTaskrun;
    // One registered receive buffer per request the server admits.
    chunks.registered_buffers = rpc.max_inflight;
    // A benchmark touches many files; reopening evicted ones costs an
    // io-wq round trip each (the file-descriptor limit is raised to fit).
    chunks.max_open_files = 4096;
  }
};

// What a started daemon tells its launcher.
struct DaemonInfo {
  std::string listen_address;          // "host:port", empty without a listener
  std::vector<std::byte> worker_address;  // its UCX worker address
};

// Runs the daemon to completion; returns the process exit code. Start-up
// errors are printed as one line naming the problem and return non-zero.
// `on_ready`, if set, runs once the daemon serves and before its loop starts
// (outside the loop, so it may block, e.g. on an MPI collective).
int RunDaemon(const DaemonConfig& config, const std::function<void(const DaemonInfo&)>& on_ready = {});

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// `benchfs sweep`: its flags, and the command itself - build the grid from
// the preset and the flags, run it, print the tables and write the JSON and
// CSV (rewritten as points complete, so an interrupted sweep keeps what it
// measured). Exit codes: 0 ok, 1 the sweep could not run, 2 bad arguments,
// 3 some point failed or counted errors.
#pragma once

#include <string>

#include "rpc/rpc_config.h"
#include "runtime/executor_config.h"
#include "runtime/ucx_reactor.h"

namespace CLI {
class App;
}  // namespace CLI

namespace benchfs {

struct SweepCommandOptions {
  bool quick = false;
  bool baseline = false;   // a floor block before each polled RPC / end-to-end point
  bool breakdown = false;  // trace the calls of RPC / end-to-end points
  bool cross = false;
  // Axes as comma-separated lists; empty = the preset's.
  std::string modes;
  std::string submit_timeouts;
  std::string complete_timeouts;
  std::string submit_batches;
  std::string idle_spins;
  std::string ring_setups;
  std::string qds;
  std::string workloads;
  std::string server = "inprocess";
  std::string benchfsd;       // default: benchfsd beside this binary
  bool allow_root = false;    // pass --allow-root to benchfsd children
  std::string io_size = "4KiB";
  std::string ping_size = "64B";
  std::string point_time;     // default: quick 300ms, full 1s
  uint64_t warmup_ops = 0;    // default: quick 100, full 200
  uint32_t min_ops = 5;
  std::string max_point_time = "60s";
  std::string data_dir;       // default: a temporary directory, removed afterwards
  std::string json_path;
  std::string csv_path;
  std::string budgets = "idle,1,inf";
  std::string idle_window = "100ms";
  std::string objective = "p99";
  bool quiet = false;         // no per-point progress on stderr
  bool dry_run = false;       // list the points and stop
};

// Declares the sweep's flags on its subcommand.
void AddSweepFlags(CLI::App& sub, SweepCommandOptions* o);

// `base` holds the reactor flags of the command line: the value of every
// knob a plane does not sweep.
int RunSweepCommand(const SweepCommandOptions& o, const ExecutorConfig& base, const UcxConfig& ucx,
                    const RpcClientConfig& rpc);

}  // namespace benchfs

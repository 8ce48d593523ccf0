// SPDX-License-Identifier: BSD-3-Clause
// The small benchmark's flags: declaration and resolution.
#include "service/small_bench_flags.h"

#include <CLI/CLI.hpp>

#include "runtime/executor_config.h"
#include "service/knobs.h"

namespace benchfs {

void AddSmallBenchFlags(CLI::App& app, SmallBenchCommand command, SmallBenchFlags* f, SmallBenchConfig* cfg,
                        OutputOptions* out) {
  const bool files = command != SmallBenchCommand::kMpi;
  app.add_option("--qd", cfg->load.qd, "operations in flight (closed loop)")->capture_default_str();
  app.add_option("--rate", cfg->load.rate, "operations per second (open loop; latency from the intended start)");
  app.add_option("--iterations,-n", f->iterations, "measured operations per op and size (default 10000)");
  app.add_flag("--keep", out->keep,
               "keep the files the benchmark wrote (by default they are removed when it ends; "
               "`benchfs gc` removes what an interrupted run left)");
  app.add_option("--duration", f->duration, "or measure for this long per op and size, e.g. 10s");
  app.add_option("--warmup", f->warmup, "unmeasured operations first")->capture_default_str();
  app.add_option("--warmup-time", f->warmup_time, "or an unmeasured time first, e.g. 1s");
  app.add_option("--sizes", f->sizes, "payload sizes, comma-separated")->capture_default_str();
  if (files) {
    app.add_option("--json", out->json_path, "write the results as JSON (schema benchfs.result/2)");
    app.add_option("--csv", out->csv_path, "write the results as CSV");
  }
  app.add_flag("--baseline", out->baseline,
               "also measure each row's floor in the same run, in a block right before the row: a bare UCX "
               "round trip to the first server shaped like the operation, plus that server's own bare "
               "io_uring I/O (and metadata log append) on its disk with its ring set-up; prints each "
               "result's ratio to its floor and flags a floor that is not below its result");
  app.add_flag("--breakdown", cfg->breakdown,
               "trace every call (server timestamps in the replies, two clock reads per call here) and report "
               "where the time went, per row at p50 and p99: send, queue, handler, storage I/O, metadata log, "
               "reply");
  if (files) {
    app.add_option("--plot", out->plot_path,
                   "with --breakdown: draw it as stacked bars in this PNG (python3-matplotlib)");
  }
  app.add_option("--repeat", out->repeat,
                 "interleaved rounds (floor block, op block per row), reported as medians with their "
                 "min-max (default 3 with --baseline, else 1)");
  app.add_option("--client-id", f->client_id,
                 "path component that keeps clients apart (default host-pid; a fixed one makes repeated "
                 "runs reuse the same files)");
  if (files) {
    app.add_option("--start-at", out->start_at,
                   "start measuring at this wall-clock time (seconds since the epoch), for lock-step clients");
  }
  if (command != SmallBenchCommand::kPing) {
    app.add_option("--ops", f->ops,
                   "operations: create,stat,delete,write,read (default all), mixed (writes and reads "
                   "alternating, half each), ping");
    app.add_option("--files", cfg->files, "files written per size before they are overwritten")
        ->capture_default_str();
    app.add_flag("--verify", cfg->verify, "check every read byte for byte");
  }
}

Status ResolveSmallBenchFlags(const CLI::App& app, SmallBenchCommand command, const SmallBenchFlags& f,
                              const std::string& default_client_id, SmallBenchConfig* cfg, OutputOptions* out) {
  auto bad = [](const std::string& message) { return Status::InvalidArgument(message); };
  if (!f.duration.empty()) {
    auto d = ParseDuration(f.duration);
    if (!d.ok()) return Status(d.status().code(), "--duration: " + d.status().message());
    if (*d <= Duration(0)) return bad("--duration must be more than 0");
    cfg->load.duration = *d;
    if (app.count("--iterations") > 0) return bad("give --iterations or --duration, not both");
  } else {
    if (f.iterations == 0) return bad("--iterations must be at least 1");
    cfg->load.iterations = f.iterations;
  }
  if (!f.warmup_time.empty()) {
    auto d = ParseDuration(f.warmup_time);
    if (!d.ok()) return Status(d.status().code(), "--warmup-time: " + d.status().message());
    cfg->load.warmup = *d;
    cfg->load.warmup_iterations = 0;
  } else {
    cfg->load.warmup_iterations = f.warmup;
  }
  auto sizes = ParseSizeList(f.sizes);
  if (!sizes.ok()) return Status(sizes.status().code(), "--sizes: " + sizes.status().message());
  cfg->sizes = *sizes;
  if (command == SmallBenchCommand::kPing) {
    cfg->ops = {"ping"};
  } else if (!f.ops.empty()) {
    cfg->ops = SplitList(f.ops);
  }
  cfg->client_id = f.client_id.empty() ? default_client_id : f.client_id;
  if (cfg->client_id.find('/') != std::string::npos) return bad("--client-id must not contain '/'");
  if (app.count("--repeat") > 0 && (out->repeat == 0 || out->repeat > 100)) return bad("--repeat must be 1..100");
  return ValidateSmallBench(*cfg);
}

}  // namespace benchfs

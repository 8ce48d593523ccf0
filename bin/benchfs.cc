// benchfs: the BenchFS client. Benchmarks one or more benchfsd servers
// (`bench small`, `bench ping`), pokes at them by hand (status, shutdown,
// put, get, stat, rm) and sweeps the reactor knobs (`sweep`). Parses flags
// and hands off to service/client_commands and sweep/sweep_command.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>

#include "rpc/hello.h"
#include "service/client_commands.h"
#include "service/runtime_knobs.h"
#include "sweep/sweep_command.h"

namespace {

using benchfs::Status;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "benchfs - the BenchFS client: benchmarks benchfsd servers and talks to them by hand.\n"
      "Servers: --server host:port (repeatable) and/or --registry DIR (every entry in it).\n"
      "Exit codes: 0 ok, 1 a setup or call failed, 2 bad arguments, 3 the benchmark saw errors.",
      "benchfs"};
  app.require_subcommand(0, 1);
  benchfs::ClientOptions client;
  benchfs::Knobs knobs;
  benchfs::AddExecutorKnobs(knobs, &client.executor);
  benchfs::AddUcxKnobs(knobs, &client.ucx);
  knobs.AddDuration("client.timeout", "--timeout", "deadline of each call", &client.rpc.call_timeout);
  knobs.AddDuration("client.connect_timeout", "--connect-timeout", "how long to try reaching a server",
                    &client.rpc.connect_timeout);
  knobs.AddUint32("client.busy_retries", "--busy-retries", "retries of a call answered BUSY", 0, 1u << 20,
                  &client.rpc.busy_retries);
  std::string token_file;
  knobs.AddString("client.token_file", "--token-file",
                  "present the token in this file (mode 0600) to every server in a HELLO", &token_file);
  std::string config_file;
  app.add_option("-c,--config", config_file, "TOML file with reactor/ucx/client settings")->check(CLI::ExistingFile);
  bool print_config = false;
  app.add_flag("--print-config", print_config, "print every reactor/ucx/client setting as TOML keys and exit");
  app.add_option("-s,--server", client.servers, "server address host:port (repeat for several)");
  app.add_option("--registry", client.registry_dir, "use every server published in this registry directory");
  app.add_option("--expect-servers", client.expect_servers,
                 "with --registry: wait until it lists this many servers (up to 60 s)");
  knobs.Declare(app);

  // bench small / bench ping
  CLI::App* bench = app.add_subcommand("bench", "run a benchmark");
  bench->require_subcommand(1);
  benchfs::SmallBenchConfig cfg;
  benchfs::OutputOptions out;
  std::string sizes = "1KiB,4KiB,16KiB";
  std::string ops;
  std::string duration;
  std::string warmup_time;
  uint64_t iterations = 10000;
  uint64_t warmup = 100;
  std::string client_id;
  auto add_load = [&](CLI::App* sub) {
    sub->add_option("--qd", cfg.load.qd, "operations in flight (closed loop)")->capture_default_str();
    sub->add_option("--rate", cfg.load.rate, "operations per second (open loop; latency from the intended start)");
    sub->add_option("--iterations,-n", iterations, "measured operations per op and size (default 10000)");
    sub->add_flag("--keep", out.keep,
                  "keep the files the benchmark wrote (by default they are removed when it ends; "
                  "`benchfs gc` removes what an interrupted run left)");
    sub->add_option("--duration", duration, "or measure for this long per op and size, e.g. 10s");
    sub->add_option("--warmup", warmup, "unmeasured operations first")->capture_default_str();
    sub->add_option("--warmup-time", warmup_time, "or an unmeasured time first, e.g. 1s");
    sub->add_option("--sizes", sizes, "payload sizes, comma-separated")->capture_default_str();
    sub->add_option("--json", out.json_path, "write the results as JSON (schema benchfs.result/2)");
    sub->add_option("--csv", out.csv_path, "write the results as CSV");
    sub->add_flag("--baseline", out.baseline,
                  "also measure each row's floor in the same run, in a block right before the row: a bare UCX "
                  "round trip to the first server shaped like the operation, plus that server's own bare "
                  "io_uring I/O (and metadata log append) on its disk with its ring set-up; prints each "
                  "result's ratio to its floor and flags a floor that is not below its result");
    sub->add_flag("--breakdown", cfg.breakdown,
                  "trace every call (server timestamps in the replies, two clock reads per call here) and report "
                  "where the time went, per row at p50 and p99: send, queue, handler, storage I/O, metadata log, "
                  "reply");
    sub->add_option("--plot", out.plot_path, "with --breakdown: draw it as stacked bars in this PNG (python3-matplotlib)");
    sub->add_option("--repeat", out.repeat,
                    "interleaved rounds (floor block, op block per row), reported as medians with their "
                    "min-max (default 3 with --baseline, else 1)");
    sub->add_option("--client-id", client_id,
                    "path component that keeps clients apart (default host-pid; a fixed one makes repeated "
                    "runs reuse the same files)");
    sub->add_option("--start-at", out.start_at,
                    "start measuring at this wall-clock time (seconds since the epoch), for lock-step clients");
  };
  CLI::App* small = bench->add_subcommand("small", "metadata create/stat/delete and chunk write/read (or mixed)");
  add_load(small);
  small->add_option("--ops", ops, "operations: create,stat,delete,write,read (default all), mixed (writes and reads alternating, half each), ping");
  small->add_option("--files", cfg.files, "files written per size before they are overwritten")->capture_default_str();
  small->add_flag("--verify", cfg.verify, "check every read byte for byte");
  CLI::App* ping = bench->add_subcommand("ping", "PING round trips with a payload echo");
  add_load(ping);

  CLI::App* status = app.add_subcommand("status", "print every server's counters");
  std::string status_json;
  status->add_option("--json", status_json, "also write the counters as JSON");
  CLI::App* shutdown = app.add_subcommand("shutdown", "ask every server to shut down cleanly");
  std::string path;
  std::string file;
  uint64_t put_size = 0;
  CLI::App* put = app.add_subcommand("put", "write a file (a pattern of --size bytes, or --from FILE)");
  put->add_option("path", path, "path in BenchFS, e.g. /a/b")->required();
  put->add_option("--size", put_size, "bytes of pattern data");
  put->add_option("--from", file, "local file to upload");
  CLI::App* get = app.add_subcommand("get", "read a file and print its size and xxh3 (or save it with --to)");
  get->add_option("path", path, "path in BenchFS")->required();
  get->add_option("--to", file, "local file to write");
  CLI::App* stat = app.add_subcommand("stat", "print a file's metadata");
  stat->add_option("path", path, "path in BenchFS")->required();
  CLI::App* rm = app.add_subcommand("rm", "remove a file (its metadata and its chunks on every server)");
  rm->add_option("path", path, "path in BenchFS");
  std::string prefix;
  rm->add_option("--prefix", prefix, "instead remove every file whose path starts with this (e.g. /bench/)");
  CLI::App* gc = app.add_subcommand(
      "gc", "remove what `bench small` runs left behind (everything under /bench/, or one --client-id's files); "
            "do not run it while a benchmark runs against the same servers");
  std::string gc_client;
  gc->add_option("--client-id", gc_client, "only the files of runs with this --client-id");

  CLI::App* compare = app.add_subcommand(
      "compare",
      "compare result files (--json of bench small): per row, the change of p50, p99 and p50/floor of each "
      "file against the first, with a 95 % bootstrap interval over their rounds and a verdict (no servers needed)");
  std::vector<std::string> compare_files;
  compare->add_option("files", compare_files, "A.json B.json [C.json ...]")->required()->expected(2, -1);

  benchfs::SweepCommandOptions sweep_opts;
  CLI::App* sweep = app.add_subcommand(
      "sweep",
      "sweep the reactor knobs (mode, timeouts, batch, idle spin, ring setup) over queue depths and workloads "
      "(storage, RPC ping, end to end against its own servers; no -s needed): latency percentiles and CPU of "
      "both sides per point, the seed's 150 ms signature in gated mode, a quantization detector, the "
      "latency/CPU Pareto front and a recommended setting per CPU budget. The reactor flags given before "
      "`sweep` (benchfs --idle-spin 200us sweep ...) set the knobs a plane does not sweep.");
  benchfs::AddSweepFlags(*sweep, &sweep_opts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every parse error is a bad argument (2).
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto usage = [](const Status& s) {
    std::fprintf(stderr, "benchfs: %s\n", s.message().c_str());
    return 2;
  };
  Status s = knobs.Apply(config_file);
  if (!s.ok()) return usage(s);
  if (print_config) {
    std::fputs(knobs.PrintToml().c_str(), stdout);
    return 0;
  }
  if (app.get_subcommands().empty()) {
    return usage(Status(benchfs::StatusCode::kInvalidArgument,
                        "give a command: bench, status, shutdown, put, get, stat, rm, gc, compare or sweep (see --help)"));
  }
  if (!token_file.empty()) {
    auto token = benchfs::LoadTokenFile(token_file);
    if (!token.ok()) return usage(Status(token.status().code(), "--token-file: " + token.status().message()));
    client.rpc.token = std::move(token.value());
  }

  if (bench->parsed()) {
    CLI::App* sub = ping->parsed() ? ping : small;
    if (!duration.empty()) {
      auto d = benchfs::ParseDuration(duration);
      if (!d.ok()) return usage(Status(d.status().code(), "--duration: " + d.status().message()));
      if (*d <= benchfs::Duration(0)) return usage(Status(benchfs::StatusCode::kInvalidArgument, "--duration must be more than 0"));
      cfg.load.duration = *d;
      if (sub->count("--iterations") > 0) {
        return usage(Status(benchfs::StatusCode::kInvalidArgument, "give --iterations or --duration, not both"));
      }
    } else {
      if (iterations == 0) return usage(Status(benchfs::StatusCode::kInvalidArgument, "--iterations must be at least 1"));
      cfg.load.iterations = iterations;
    }
    if (!warmup_time.empty()) {
      auto d = benchfs::ParseDuration(warmup_time);
      if (!d.ok()) return usage(Status(d.status().code(), "--warmup-time: " + d.status().message()));
      cfg.load.warmup = *d;
      cfg.load.warmup_iterations = 0;
    } else {
      cfg.load.warmup_iterations = warmup;
    }
    auto parsed = benchfs::ParseSizeList(sizes);
    if (!parsed.ok()) return usage(Status(parsed.status().code(), "--sizes: " + parsed.status().message()));
    cfg.sizes = *parsed;
    if (ping->parsed()) {
      cfg.ops = {"ping"};
    } else if (!ops.empty()) {
      cfg.ops = benchfs::SplitList(ops);
    }
    char host[128] = {};
    gethostname(host, sizeof(host) - 1);
    cfg.client_id = client_id.empty() ? std::string(host) + "-" + std::to_string(getpid()) : client_id;
    if (cfg.client_id.find('/') != std::string::npos) {
      return usage(Status(benchfs::StatusCode::kInvalidArgument, "--client-id must not contain '/'"));
    }
    cfg.progress = isatty(STDERR_FILENO);
    if (sub->count("--repeat") > 0 && (out.repeat == 0 || out.repeat > 100)) {
      return usage(Status(benchfs::StatusCode::kInvalidArgument, "--repeat must be 1..100"));
    }
    s = benchfs::ValidateSmallBench(cfg);
    if (!s.ok()) return usage(s);
    return benchfs::RunBenchSmall(client, cfg, out);
  }
  if (compare->parsed()) return benchfs::RunCompare(compare_files);
  if (sweep->parsed()) return benchfs::RunSweepCommand(sweep_opts, client.executor, client.ucx, client.rpc);
  if (status->parsed()) return benchfs::RunStatus(client, status_json);
  if (shutdown->parsed()) return benchfs::RunShutdown(client);
  if (put->parsed()) {
    if (put_size == 0 && file.empty()) return usage(Status(benchfs::StatusCode::kInvalidArgument, "put: give --size or --from"));
    return benchfs::RunPut(client, path, put_size, file);
  }
  if (get->parsed()) return benchfs::RunGet(client, path, file);
  if (stat->parsed()) return benchfs::RunStat(client, path);
  if (rm->parsed()) {
    if (path.empty() == prefix.empty()) {
      return usage(Status(benchfs::StatusCode::kInvalidArgument, "rm: give a PATH or --prefix PREFIX (one of them)"));
    }
    return prefix.empty() ? benchfs::RunRemove(client, path) : benchfs::RunRemovePrefix(client, prefix);
  }
  if (gc->parsed()) {
    if (gc_client.find('/') != std::string::npos) {
      return usage(Status(benchfs::StatusCode::kInvalidArgument, "--client-id must not contain '/'"));
    }
    return benchfs::RunRemovePrefix(client, gc_client.empty() ? "/bench/" : "/bench/" + gc_client + "/");
  }
  return 2;
}

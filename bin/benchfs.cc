// SPDX-License-Identifier: BSD-3-Clause
// benchfs: the BenchFS client. Benchmarks one or more benchfsd servers
// (`bench small`, `bench ping`), pokes at them by hand (status, shutdown,
// put, get, stat, rm) and sweeps the reactor knobs (`sweep`). Parses flags
// and hands off to service/client_commands and sweep/sweep_command.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>

#include "rpc/hello.h"
#include "service/client_commands.h"
#include "service/knob_registry.h"
#include "service/small_bench_flags.h"
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
  benchfs::AddClientKnobs(knobs, &client);
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
  benchfs::SmallBenchFlags flags;
  CLI::App* small = bench->add_subcommand("small", "metadata create/stat/delete and chunk write/read (or mixed)");
  benchfs::AddSmallBenchFlags(*small, benchfs::SmallBenchCommand::kSmall, &flags, &cfg, &out);
  CLI::App* ping = bench->add_subcommand("ping", "PING round trips with a payload echo");
  benchfs::AddSmallBenchFlags(*ping, benchfs::SmallBenchCommand::kPing, &flags, &cfg, &out);

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
  // A command's error: bad arguments exit 2, a setup or call failure 1.
  auto finish = [](const Status& s) {
    if (s.ok()) return 0;
    std::fprintf(stderr, "benchfs: %s\n", s.message().c_str());
    return s.code() == benchfs::StatusCode::kInvalidArgument ? 2 : 1;
  };
  // Status and shutdown report each server in its own line; any that failed makes the exit code 1.
  auto per_server = [&](const benchfs::Result<uint32_t>& failed) {
    if (!failed.ok()) return finish(failed.status());
    return *failed > 0 ? 1 : 0;
  };
  Status s = knobs.Apply(config_file);
  if (!s.ok()) return usage(s);
  if (print_config) {
    std::fputs(knobs.PrintToml().c_str(), stdout);
    return 0;
  }
  if (app.get_subcommands().empty()) {
    return usage(Status::InvalidArgument("give a command: bench, status, shutdown, put, get, stat, rm, gc, compare or sweep (see --help)"));
  }
  if (!client.token_file.empty()) {
    auto token = benchfs::LoadTokenFile(client.token_file);
    if (!token.ok()) return usage(Status(token.status().code(), "--token-file: " + token.status().message()));
    client.rpc.token = std::move(token.value());
  }

  if (bench->parsed()) {
    const bool is_ping = ping->parsed();
    char host[128] = {};
    gethostname(host, sizeof(host) - 1);
    s = benchfs::ResolveSmallBenchFlags(
        is_ping ? *ping : *small, is_ping ? benchfs::SmallBenchCommand::kPing : benchfs::SmallBenchCommand::kSmall,
        flags, std::string(host) + "-" + std::to_string(getpid()), &cfg, &out);
    if (!s.ok()) return usage(s);
    cfg.progress = isatty(STDERR_FILENO);
    auto errors = benchfs::RunBenchSmall(client, cfg, out);
    if (!errors.ok()) return finish(errors.status());
    return *errors ? 3 : 0;
  }
  if (compare->parsed()) return finish(benchfs::RunCompare(compare_files));
  if (sweep->parsed()) return benchfs::RunSweepCommand(sweep_opts, client.executor, client.ucx, client.rpc);
  if (status->parsed()) return per_server(benchfs::RunStatus(client, status_json));
  if (shutdown->parsed()) return per_server(benchfs::RunShutdown(client));
  if (put->parsed()) {
    if (put_size == 0 && file.empty()) return usage(Status::InvalidArgument("put: give --size or --from"));
    return finish(benchfs::RunPut(client, path, put_size, file));
  }
  if (get->parsed()) return finish(benchfs::RunGet(client, path, file));
  if (stat->parsed()) return finish(benchfs::RunStat(client, path));
  if (rm->parsed()) {
    if (path.empty() == prefix.empty()) {
      return usage(Status::InvalidArgument("rm: give a PATH or --prefix PREFIX (one of them)"));
    }
    return finish(prefix.empty() ? benchfs::RunRemove(client, path) : benchfs::RunRemovePrefix(client, prefix));
  }
  if (gc->parsed()) {
    if (gc_client.find('/') != std::string::npos) {
      return usage(Status::InvalidArgument("--client-id must not contain '/'"));
    }
    return finish(benchfs::RunRemovePrefix(client, gc_client.empty() ? "/bench/" : "/bench/" + gc_client + "/"));
  }
  return 2;
}

// SPDX-License-Identifier: BSD-3-Clause
// `benchfs sweep`: flags, grid assembly, progress, tables and files.
#include "sweep/sweep_command.h"

#include <limits.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "service/knobs.h"
#include "sweep/sweep_paths.h"
#include "sweep/sweep_runner.h"

namespace benchfs {
namespace {

int Usage(const Status& s) {
  std::fprintf(stderr, "benchfs sweep: %s\n", s.message().c_str());
  return 2;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "benchfs sweep: %s\n", what.c_str());
  return 1;
}

// Writes through a temporary file and a rename, so readers never see half a file.
Status WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
    f.close();
    if (!f) return Status::IoError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(errno, "rename to " + path);
  return Status();
}

Result<Duration> FlagDuration(const std::string& flag, const std::string& text) {
  auto d = ParseDuration(text);
  if (!d.ok()) return Status::InvalidArgument(flag + ": " + d.status().message());
  if (*d <= Duration(0)) return Status::InvalidArgument(flag + ": must be longer than 0");
  return *d;
}

std::string BesideThisBinary(const std::string& name) {
  char self[PATH_MAX] = {};
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return name;
  return (std::filesystem::path(std::string(self, static_cast<size_t>(n))).parent_path() / name).string();
}

// A scratch directory removed with its contents when the command ends.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/benchfs-sweep-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The preset's axes with every axis flag applied.
Result<SweepAxes> BuildAxes(const SweepCommandOptions& o) {
  SweepAxes a = o.quick ? SweepAxes::Quick() : SweepAxes::Full();
  if (!o.modes.empty()) {
    auto v = ParseModeList(o.modes, "--modes");
    if (!v.ok()) return v.status();
    a.modes = *v;
  }
  if (!o.submit_timeouts.empty()) {
    auto v = ParseDurationList(o.submit_timeouts, "--submit-timeouts");
    if (!v.ok()) return v.status();
    a.submit_timeouts = *v;
  }
  if (!o.complete_timeouts.empty()) {
    auto v = ParseDurationList(o.complete_timeouts, "--complete-timeouts");
    if (!v.ok()) return v.status();
    a.complete_timeouts = *v;
  }
  if (!o.submit_batches.empty()) {
    auto v = ParseUintList(o.submit_batches, "--submit-batches", 1, kMaxRingEntries);
    if (!v.ok()) return v.status();
    a.submit_batches = *v;
  }
  if (!o.idle_spins.empty()) {
    auto v = ParseDurationList(o.idle_spins, "--idle-spins");
    if (!v.ok()) return v.status();
    a.idle_spins = *v;
  }
  if (!o.ring_setups.empty()) {
    auto v = ParseRingSetupList(o.ring_setups, "--ring-setups");
    if (!v.ok()) return v.status();
    a.ring_setups = *v;
  }
  if (!o.qds.empty()) {
    auto v = ParseUintList(o.qds, "--qds", 1, 4096);
    if (!v.ok()) return v.status();
    a.qds = *v;
  }
  if (!o.workloads.empty()) {
    auto v = ParseWorkloadList(o.workloads, "--workloads");
    if (!v.ok()) return v.status();
    a.workloads = *v;
  }
  Status s = a.Validate();
  if (!s.ok()) return s;
  return a;
}

std::string ProgressLine(const PointResult& r, size_t total) {
  char b[512];
  std::string what;
  if (!r.m.error.empty()) {
    what = "error: " + r.m.error;
  } else {
    what = "p50 " + FormatLatencyUs(r.p50_us()) + ", p99 " + FormatLatencyUs(r.p99_us()) + ", " +
           std::to_string(r.m.load.ok) + " ops";
    char c[64];
    std::snprintf(c, sizeof(c), ", %.2f cores", r.m.cores());
    what += c;
    if (r.m.load.errors > 0) what += ", " + std::to_string(r.m.load.errors) + " errors";
    if (r.finding) what += "  QUANTIZED: " + r.finding->knob;
  }
  std::snprintf(b, sizeof(b), "[%zu/%zu] %s qd %u %s: %s (%.1f s)\n", r.id + 1, total,
                std::string(WorkloadName(r.point.workload)).c_str(), r.point.qd, r.point.KnobText().c_str(),
                what.c_str(), r.m.wall_s);
  return b;
}

}  // namespace

void AddSweepFlags(CLI::App& sub, SweepCommandOptions* o) {
  sub.add_flag("--quick", o->quick,
               "the CI-sized grid (minutes on 2 cores): timeouts {0,50ms} x {0,10us,100ms} in both modes, "
               "idle_spin {0,50us,1ms}, ring none, qd {1,8}, every workload, 300 ms per point");
  sub.add_flag("--cross", o->cross,
               "measure the full cross product of the axes instead of the timeout and polling planes");
  sub.add_option("--modes", o->modes, "reactor modes: polled,gated");
  sub.add_option("--submit-timeouts", o->submit_timeouts,
                 "submit_timeout values (default full grid: 0,1us,10us,100us,1ms,10ms,50ms,100ms)");
  sub.add_option("--complete-timeouts", o->complete_timeouts, "complete_timeout values (same default)");
  sub.add_option("--submit-batches", o->submit_batches, "submit_batch values (default 32)");
  sub.add_option("--idle-spins", o->idle_spins, "idle_spin values (default full grid: 0,10us,50us,200us,1ms)");
  sub.add_option("--ring-setups", o->ring_setups,
                 "ring setups: none,coop_taskrun,single_issuer_defer_taskrun,sqpoll (default full grid: all)");
  sub.add_option("--qds", o->qds, "queue depths (default full grid: 1,8,64)");
  sub.add_option("--workloads", o->workloads,
                 "storage-write,storage-read,rpc-ping,e2e-write,e2e-read,e2e-create (default: all)");
  sub.add_option("--server", o->server,
                 "servers of rpc/e2e points: inprocess (a server thread) or process (a benchfsd child per point)")
      ->capture_default_str();
  sub.add_option("--benchfsd", o->benchfsd, "benchfsd binary for --server process (default: beside benchfs)");
  sub.add_flag("--allow-root", o->allow_root, "--server process: start benchfsd with --allow-root");
  sub.add_flag("--baseline", o->baseline,
               "before each polled rpc / e2e point, measure its floor as bench small --baseline does (a bare UCX "
               "round trip plus the server's own bare storage) and report p50/floor per point");
  sub.add_flag("--breakdown", o->breakdown,
               "trace the calls of rpc / e2e points and report where their time went, per stage (adds clock reads)");
  sub.add_option("--io-size", o->io_size, "bytes per storage and e2e read/write")->capture_default_str();
  sub.add_option("--ping-size", o->ping_size, "bytes echoed by each ping")->capture_default_str();
  sub.add_option("--point-time", o->point_time,
                 "measured time per point (default: 1s, --quick 300ms); gated points with a timeout floor "
                 "measure long enough for --min-ops operations");
  sub.add_option("--warmup", o->warmup_ops,
                 "unmeasured operations before each polled point (default: 200, --quick 100); gated: 2 x qd");
  sub.add_option("--min-ops", o->min_ops, "operations a gated point measures at least (at qd 1)")->capture_default_str();
  sub.add_option("--max-point-time", o->max_point_time, "cap on one point's measured time")->capture_default_str();
  sub.add_option("--data-dir", o->data_dir,
                 "where storage and e2e data live (default: a temporary directory under $TMPDIR, removed)");
  sub.add_option("--json", o->json_path, "write the points as JSON (schema benchfs.sweep/1)");
  sub.add_option("--csv", o->csv_path, "write one CSV row per point");
  sub.add_option("--cpu-budgets", o->budgets,
                 "budgets to recommend a setting for: cores of both sides under load (a number, inf = no limit) "
                 "or idle (mostly idle: parks instead of busy-polling when there is no load)")
      ->capture_default_str();
  sub.add_option("--idle-window", o->idle_window, "after measuring, how long to watch the idle sides' CPU (0 = skip)")
      ->capture_default_str();
  sub.add_option("--objective", o->objective, "latency the Pareto front and recommendations use: p50 or p99")
      ->capture_default_str();
  sub.add_flag("--quiet", o->quiet, "no per-point progress lines on stderr");
  sub.add_flag("--dry-run", o->dry_run, "list the points the grid expands to, measure nothing");
}

int RunSweepCommand(const SweepCommandOptions& o, const ExecutorConfig& base, const UcxConfig& ucx,
                    const RpcClientConfig& rpc) {
  SweepConfig c;
  c.preset = o.quick ? "quick" : "full";
  auto axes = BuildAxes(o);
  if (!axes.ok()) return Usage(axes.status());
  c.axes = *axes;
  const bool custom = !o.modes.empty() || !o.submit_timeouts.empty() || !o.complete_timeouts.empty() ||
                      !o.submit_batches.empty() || !o.idle_spins.empty() || !o.ring_setups.empty() ||
                      !o.qds.empty() || !o.workloads.empty() || o.cross;
  if (custom) c.preset += "+custom";
  c.cross = o.cross;
  c.base = base;
  Status s = base.Validate();
  if (!s.ok()) return Usage(s);

  PointSettings& ps = c.settings;
  auto server = ParseServerMode(o.server);
  if (!server.ok()) return Usage(Status::InvalidArgument("--server: " + server.status().message()));
  ps.server = *server;
  ps.benchfsd = o.benchfsd.empty() ? BesideThisBinary("benchfsd") : o.benchfsd;
  ps.allow_root = o.allow_root;
  if (ps.server == ServerMode::kProcess && ::access(ps.benchfsd.c_str(), X_OK) != 0) {
    return Usage(Status::InvalidArgument("--server process: benchfsd not found at " + ps.benchfsd + " (give --benchfsd PATH)"));
  }
  ps.ucx = ucx;
  ps.rpc = rpc;
  auto io = ParseSize(o.io_size);
  if (!io.ok() || *io == 0 || *io > kStorageChunkSize) {
    return Usage(Status::InvalidArgument("--io-size: '" + o.io_size + "' must be 1 B..4 MiB"));
  }
  ps.io_size = *io;
  ps.baseline = o.baseline;
  ps.breakdown = o.breakdown;
  auto ping = ParseSize(o.ping_size);
  if (!ping.ok() || *ping > (16u << 20)) {
    return Usage(Status::InvalidArgument("--ping-size: '" + o.ping_size + "' must be 0..16 MiB"));
  }
  ps.ping_size = *ping;
  auto pt = FlagDuration("--point-time", o.point_time.empty() ? (o.quick ? "300ms" : "1s") : o.point_time);
  if (!pt.ok()) return Usage(pt.status());
  ps.point_time = *pt;
  auto mpt = FlagDuration("--max-point-time", o.max_point_time);
  if (!mpt.ok()) return Usage(mpt.status());
  ps.max_point_time = *mpt;
  auto idle = ParseDuration(o.idle_window);
  if (!idle.ok()) return Usage(Status::InvalidArgument("--idle-window: " + idle.status().message()));
  ps.idle_window = *idle;
  ps.warmup_ops = o.warmup_ops != 0 ? o.warmup_ops : (o.quick ? 100 : 200);
  if (o.min_ops == 0) return Usage(Status::InvalidArgument("--min-ops: must be at least 1"));
  ps.min_ops = o.min_ops;
  auto budgets = ParseCpuBudgets(o.budgets);
  if (!budgets.ok()) return Usage(Status::InvalidArgument("--cpu-budgets: " + budgets.status().message()));
  c.budgets = *budgets;
  auto objective = ParseObjective(o.objective);
  if (!objective.ok()) return Usage(Status::InvalidArgument("--objective: " + objective.status().message()));
  c.objective = *objective;

  if (o.dry_run) {
    const std::vector<SweepPoint> points = ExpandGrid(c.axes, c.base, c.cross);
    for (size_t i = 0; i < points.size(); ++i) {
      std::printf("%4zu %-9s %s\n", i, std::string(PlaneName(points[i].plane)).c_str(), points[i].Key().c_str());
    }
    std::printf("%zu points (%s)\n", points.size(), c.preset.c_str());
    return 0;
  }

  std::optional<ScratchDir> scratch;
  if (o.data_dir.empty()) {
    scratch.emplace();
    if (scratch->path().empty()) return Fail("cannot create a temporary data directory (set TMPDIR or --data-dir)");
    ps.data_dir = scratch->path();
  } else {
    ps.data_dir = o.data_dir;
  }

  const size_t total = ExpandGrid(c.axes, c.base, c.cross).size();
  std::fprintf(stderr, "benchfs sweep: %zu points (%s), data in %s, servers %s; knobs applied to both sides\n", total,
               c.preset.c_str(), ps.data_dir.c_str(), std::string(ServerModeName(ps.server)).c_str());
  TimePoint last_write = Now();
  Status write_error;
  auto write_files = [&](const SweepRun& run) {
    if (!o.json_path.empty()) {
      Status w = WriteAtomically(o.json_path, SweepToJson(run.info, run.results, run.analysis));
      if (!w.ok() && write_error.ok()) write_error = w;
    }
    if (!o.csv_path.empty()) {
      Status w = WriteAtomically(o.csv_path, SweepToCsv(run.results));
      if (!w.ok() && write_error.ok()) write_error = w;
    }
  };
  auto run = RunSweep(c, [&](const SweepRun& r, size_t n) {
    if (!o.quiet) {
      std::fputs(ProgressLine(r.results.back(), n).c_str(), stderr);
      std::fflush(stderr);
    }
    if (Now() - last_write > std::chrono::seconds(10)) {
      write_files(r);
      last_write = Now();
    }
  });
  if (!run.ok()) return Fail(run.status().message());
  write_files(*run);
  if (!write_error.ok()) return Fail(write_error.message());

  const KernelTick& tick = run->info.tick;
  std::printf("benchfs sweep: %zu points, %s, servers %s, knobs on both sides; kernel tick %s (%s)\n",
              run->results.size(), c.preset.c_str(), std::string(ServerModeName(ps.server)).c_str(),
              tick.tick > Duration(0) ? FormatDuration(tick.tick).c_str() : "unknown", tick.source.c_str());
  std::fputs(FormatPointTable(run->results).c_str(), stdout);
  std::printf("\n%s", FormatSeedChecks(run->results, run->analysis).c_str());
  std::printf("\n%s", FormatFindings(run->results, run->analysis).c_str());
  std::printf("\n%s", FormatRecommendations(run->results, run->analysis, c.objective).c_str());
  for (const PointResult& r : run->results) {
    if (!r.m.error.empty() || r.m.load.errors > 0) return 3;
  }
  return 0;
}

}  // namespace benchfs

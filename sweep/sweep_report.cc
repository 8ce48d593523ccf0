// SPDX-License-Identifier: BSD-3-Clause
// JSON, CSV and tables of a sweep.
#include "sweep/sweep_report.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "measure/breakdown_json.h"
#include "measure/rounds.h"

namespace benchfs {
namespace {

using nlohmann::json;

double Us(Duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

json Knobs(const ExecutorConfig& k) {
  return {{"mode", ReactorModeName(k.reactor_mode)},
          {"submit_timeout_us", Us(k.submit_timeout)},
          {"complete_timeout_us", Us(k.complete_timeout)},
          {"submit_batch", k.submit_batch},
          {"idle_spin_us", Us(k.idle_spin)},
          {"ring_setup", RingSetupName(k.ring_setup)}};
}

template <typename T, typename F>
json List(const std::vector<T>& v, F f) {
  json a = json::array();
  for (const T& x : v) a.push_back(f(x));
  return a;
}

uint64_t PayloadSize(const PointResult& r, const PointSettings& s) {
  switch (r.point.workload) {
    case Workload::kRpcPing: return s.ping_size;
    case Workload::kE2eCreate: return 0;
    default: return s.io_size;
  }
}

double PerOp(uint64_t n, uint64_t ops) { return ops == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(ops); }

json PointJson(const PointResult& r, const PointSettings& s) {
  const LoadResult& l = r.m.load;
  const Histogram& h = l.latency_ns;
  const bool remote = Info(r.point.workload).kind != WorkloadKind::kStorage;
  json j = {{"id", r.id},
            {"workload", WorkloadName(r.point.workload)},
            {"op", Info(r.point.workload).op},
            {"size", PayloadSize(r, s)},
            {"qd", r.point.qd},
            {"plane", PlaneName(r.point.plane)},
            {"knobs", Knobs(r.point.knobs)},
            {"applied_to", remote ? "client and server executors" : "the one executor"},
            {"count", l.ok},
            {"errors", l.errors},
            {"p50_us", r.Percentile(0.5)},
            {"p90_us", r.Percentile(0.9)},
            {"p99_us", r.Percentile(0.99)},
            {"p999_us", r.Percentile(0.999)},
            {"max_us", static_cast<double>(h.max()) / 1000.0},
            {"min_us", static_cast<double>(h.min()) / 1000.0},
            {"mean_us", h.mean() / 1000.0},
            {"ops_per_s", l.ops_per_s()},
            {"elapsed_s", std::chrono::duration<double>(l.elapsed).count()},
            {"cpu",
             {{"client_s", r.m.client_cpu_s},
              {"server_s", r.m.server_cpu_s},
              {"total_s", r.m.total_cpu_s},
              {"cores", r.m.cores()},
              {"per_op_us", r.m.cpu_per_op_us()},
              {"idle_cores", r.m.idle_cores()},
              {"executors", r.m.executors}}},
            {"parks_per_op",
             {{"client", PerOp(r.m.client_parks, l.ok)},
              {"server", r.m.has_server ? json(PerOp(r.m.server_parks, l.ok)) : json(nullptr)}}},
            {"transport", r.m.transport},
            {"timeout_floor_us", r.timeout_floor_us},
            {"best_polled_p50_us", r.best_polled_p50_us ? json(*r.best_polled_p50_us) : json(nullptr)},
            {"pareto", r.pareto},
            {"wall_s", r.m.wall_s},
            {"error", r.m.error}};
  j["first_error"] = l.errors > 0 ? l.first_error.ToString() : "";
  if (r.m.floor_us && *r.m.floor_us > 0) {
    j["floor_us"] = *r.m.floor_us;
    j["ratio"] = r.p50_us() / *r.m.floor_us;
    j["floor_suspect"] = r.p50_us() < kFloorSuspectRatio * *r.m.floor_us;
  } else {
    j["floor_us"] = nullptr;
  }
  if (r.m.breakdown && r.m.breakdown->calls() > 0) {
    const BreakdownFigures b = r.m.breakdown->Figures();
    j["breakdown"] = BreakdownJson(b, b);
  }
  if (r.finding) {
    j["quantization"] = {{"knob", r.finding->knob},
                         {"floor_us", r.finding->floor_us},
                         {"p50_us", r.finding->p50_us},
                         {"near_share", r.finding->near_share},
                         {"message", r.finding->message}};
  } else {
    j["quantization"] = nullptr;
  }
  return j;
}

std::string Cell(double us) { return FormatLatencyUs(us); }

std::string Dur(Duration d) { return FormatDuration(d); }

std::string OptP50(const std::vector<PointResult>& rs, const std::optional<size_t>& id) {
  if (!id || !rs[*id].measured()) return "-";
  return Cell(rs[*id].p50_us());
}

}  // namespace

std::string SweepToJson(const SweepRunInfo& info, const std::vector<PointResult>& results,
                        const SweepAnalysis& analysis) {
  json m = json::object();
  for (const auto& [k, v] : info.manifest.fields) m[k] = v;
  m["cpus"] = sysconf(_SC_NPROCESSORS_ONLN);
  m["preset"] = info.preset;
  m["cross"] = info.cross;
  m["server"] = ServerModeName(info.settings.server);
  m["knobs_applied_to"] = "both sides: the client's executor and the server's (in-process thread or benchfsd)";
  m["io_size"] = info.settings.io_size;
  m["ping_size"] = info.settings.ping_size;
  m["point_time_s"] = std::chrono::duration<double>(info.settings.point_time).count();
  m["max_point_time_s"] = std::chrono::duration<double>(info.settings.max_point_time).count();
  m["warmup_ops"] = info.settings.warmup_ops;
  m["min_ops"] = info.settings.min_ops;
  m["objective"] = ObjectiveName(info.objective);
  m["idle_window_s"] = std::chrono::duration<double>(info.settings.idle_window).count();
  m["cpu_budgets"] = List(info.budgets, [](const CpuBudget& b) { return b.Text(); });
  m["timer_tick"] = {{"us", Us(info.tick.tick)}, {"hz", info.tick.hz}, {"source", info.tick.source}};
  json base = Knobs(info.base);
  base["task_quota_us"] = Us(info.base.task_quota);
  base["ring_entries"] = info.base.ring_entries;
  m["base"] = base;
  const SweepAxes& a = info.axes;
  m["axes"] = {{"modes", List(a.modes, [](ReactorMode x) { return std::string(ReactorModeName(x)); })},
               {"submit_timeouts_us", List(a.submit_timeouts, [](Duration d) { return Us(d); })},
               {"complete_timeouts_us", List(a.complete_timeouts, [](Duration d) { return Us(d); })},
               {"submit_batches", a.submit_batches},
               {"idle_spins_us", List(a.idle_spins, [](Duration d) { return Us(d); })},
               {"ring_setups", List(a.ring_setups, [](RingSetup x) { return std::string(RingSetupName(x)); })},
               {"qds", a.qds},
               {"workloads", List(a.workloads, [](Workload w) { return std::string(WorkloadName(w)); })}};

  json points = json::array();
  for (const PointResult& r : results) points.push_back(PointJson(r, info.settings));
  json recs = json::array();
  for (const Recommendation& rec : analysis.recommendations) {
    recs.push_back({{"workload", WorkloadName(rec.workload)},
                    {"qd", rec.qd},
                    {"budget",
                     {{"mostly_idle", rec.budget.mostly_idle},
                      {"cores", rec.budget.mostly_idle || std::isinf(rec.budget.cores) ? json(nullptr)
                                                                                      : json(rec.budget.cores)}}},
                    {"objective", ObjectiveName(info.objective)},
                    {"point", rec.point ? json(*rec.point) : json(nullptr)},
                    {"text", rec.text}});
  }
  json seed = json::array();
  auto p50 = [&](const std::optional<size_t>& id) {
    return id && results[*id].measured() ? json(results[*id].p50_us()) : json(nullptr);
  };
  for (const SeedCheck& sc : analysis.seed_checks) {
    seed.push_back({{"workload", WorkloadName(sc.workload)},
                    {"qd", sc.qd},
                    {"submit_timeout_us", Us(sc.submit_timeout)},
                    {"complete_timeout_us", Us(sc.complete_timeout)},
                    {"polled_zero_p50_us", p50(sc.polled_zero)},
                    {"polled_p50_us", p50(sc.polled)},
                    {"gated_p50_us", p50(sc.gated)},
                    {"gated_floor_us", sc.gated ? json(results[*sc.gated].timeout_floor_us) : json(nullptr)}});
  }
  const DetectorAudit& au = analysis.audit;
  json root = {{"schema", "benchfs.sweep/1"},
               {"manifest", m},
               {"points", points},
               {"recommendations", recs},
               {"seed_check", seed},
               {"detector_audit",
                {{"gated_at_floor", au.gated_at_floor},
                 {"gated_at_floor_flagged", au.gated_at_floor_flagged},
                 {"polled", au.polled},
                 {"polled_flagged_timeout", au.polled_flagged_timeout},
                 {"polled_flagged_tick", au.polled_flagged_tick}}}};
  return root.dump(1) + "\n";
}

std::string SweepToCsv(const std::vector<PointResult>& results) {
  std::string out =
      "id,workload,op,qd,plane,mode,submit_timeout_us,complete_timeout_us,submit_batch,idle_spin_us,ring_setup,"
      "count,errors,p50_us,p90_us,p99_us,p999_us,max_us,mean_us,ops_per_s,client_cpu_s,server_cpu_s,total_cpu_s,"
      "cores,cpu_per_op_us,idle_cores,client_parks_per_op,server_parks_per_op,timeout_floor_us,best_polled_p50_us,"
      "quantization_knob,quantization_floor_us,pareto,transport,error\n";
  char line[1024];
  for (const PointResult& r : results) {
    const ExecutorConfig& k = r.point.knobs;
    const LoadResult& l = r.m.load;
    std::string ref = r.best_polled_p50_us ? std::to_string(*r.best_polled_p50_us) : "";
    std::string err = r.m.error.empty() && l.errors > 0 ? l.first_error.ToString() : r.m.error;
    for (char& c : err) {
      if (c == ',' || c == '"' || c == '\n') c = ';';
    }
    std::snprintf(line, sizeof(line),
                  "%zu,%s,%s,%u,%s,%s,%.3f,%.3f,%u,%.3f,%s,%llu,%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.6f,%.6f,"
                  "%.6f,%.4f,%.3f,%.4f,%.4f,%s,%.3f,%s,%s,%s,%s,%s,%s\n",
                  r.id, std::string(WorkloadName(r.point.workload)).c_str(),
                  std::string(Info(r.point.workload).op).c_str(), r.point.qd,
                  std::string(PlaneName(r.point.plane)).c_str(), std::string(ReactorModeName(k.reactor_mode)).c_str(),
                  Us(k.submit_timeout), Us(k.complete_timeout), k.submit_batch, Us(k.idle_spin),
                  std::string(RingSetupName(k.ring_setup)).c_str(), static_cast<unsigned long long>(l.ok),
                  static_cast<unsigned long long>(l.errors), r.Percentile(0.5), r.Percentile(0.9),
                  r.Percentile(0.99), r.Percentile(0.999), static_cast<double>(l.latency_ns.max()) / 1000.0,
                  l.latency_ns.mean() / 1000.0, l.ops_per_s(), r.m.client_cpu_s, r.m.server_cpu_s, r.m.total_cpu_s,
                  r.m.cores(), r.m.cpu_per_op_us(), r.m.idle_cores(), PerOp(r.m.client_parks, l.ok),
                  r.m.has_server ? std::to_string(PerOp(r.m.server_parks, l.ok)).c_str() : "",
                  r.timeout_floor_us, ref.c_str(), r.finding ? r.finding->knob.c_str() : "",
                  r.finding ? std::to_string(r.finding->floor_us).c_str() : "", r.pareto ? "1" : "0",
                  r.m.transport.c_str(), err.c_str());
    out += line;
  }
  return out;
}

std::string FormatPointTable(const std::vector<PointResult>& results) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "%4s %-13s %3s %-6s %6s %6s %6s %-12s %7s %4s %9s %9s %9s %9s %9s %6s %5s %8s %s\n", "id",
                "workload", "qd", "mode", "submit", "compl", "spin", "ring", "count", "err", "p50", "p99", "p99.9",
                "max", "ops/s", "cores", "idle", "cpu/op", "notes");
  out += line;
  for (const PointResult& r : results) {
    const ExecutorConfig& k = r.point.knobs;
    std::string notes;
    if (r.point.plane == Plane::kZero) notes += "zero ";
    if (r.pareto) notes += "pareto ";
    if (r.finding) notes += "QUANTIZED(" + r.finding->knob + ") ";
    if (!r.m.error.empty()) notes += "error: " + r.m.error;
    else if (r.m.load.errors > 0) notes += "errors: " + r.m.load.first_error.ToString();
    std::string ring(RingSetupName(k.ring_setup));
    if (ring == "single_issuer_defer_taskrun") ring = "defer_taskrun";
    std::snprintf(line, sizeof(line), "%4zu %-13s %3u %-6s %6s %6s %6s %-12s %7llu %4llu %9s %9s %9s %9s %9.0f %6.2f %5.2f %8s %s\n",
                  r.id, std::string(WorkloadName(r.point.workload)).c_str(), r.point.qd,
                  std::string(ReactorModeName(k.reactor_mode)).c_str(), Dur(k.submit_timeout).c_str(),
                  Dur(k.complete_timeout).c_str(), Dur(k.idle_spin).c_str(), ring.c_str(),
                  static_cast<unsigned long long>(r.m.load.ok), static_cast<unsigned long long>(r.m.load.errors),
                  r.measured() ? Cell(r.p50_us()).c_str() : "-", r.measured() ? Cell(r.p99_us()).c_str() : "-",
                  r.measured() ? Cell(r.Percentile(0.999)).c_str() : "-",
                  r.measured() ? Cell(static_cast<double>(r.m.load.latency_ns.max()) / 1000.0).c_str() : "-",
                  r.m.load.ops_per_s(), r.m.cores(), r.m.idle_cores(),
                  r.measured() ? Cell(r.m.cpu_per_op_us()).c_str() : "-",
                  notes.c_str());
    out += line;
  }
  return out;
}

std::string FormatSeedChecks(const std::vector<PointResult>& results, const SweepAnalysis& analysis) {
  if (analysis.seed_checks.empty()) return "";
  const SeedCheck& first = analysis.seed_checks.front();
  const std::string pair = Dur(first.submit_timeout) + "," + Dur(first.complete_timeout);
  std::string out = "Seed check: p50 with (submit_timeout, complete_timeout) = (" + pair +
                    ") in both modes, beside polled (0,0); knobs on both sides\n";
  char line[256];
  std::snprintf(line, sizeof(line), "%-13s %3s %14s %18s %10s %18s %12s\n", "workload", "qd", "polled (0,0)",
                ("polled (" + pair + ")").c_str(), "parks/op", ("gated (" + pair + ")").c_str(), "gated floor");
  out += line;
  for (const SeedCheck& sc : analysis.seed_checks) {
    std::string parks = "-";
    if (sc.polled && results[*sc.polled].measured()) {
      const PointResult& p = results[*sc.polled];
      char b[32];
      std::snprintf(b, sizeof(b), "%.2f", PerOp(p.m.client_parks + p.m.server_parks, p.m.load.ok));
      parks = b;
    }
    std::snprintf(line, sizeof(line), "%-13s %3u %14s %18s %10s %18s %12s\n",
                  std::string(WorkloadName(sc.workload)).c_str(), sc.qd, OptP50(results, sc.polled_zero).c_str(),
                  OptP50(results, sc.polled).c_str(), parks.c_str(), OptP50(results, sc.gated).c_str(),
                  sc.gated && results[*sc.gated].timeout_floor_us > 0 ? Cell(results[*sc.gated].timeout_floor_us).c_str()
                                                                      : "none");
    out += line;
  }
  out += "(polled (0,0) busy-polls; the other polled column parks after idle_spin, so a gap between the two is the "
         "price of waking up - parks/op, both sides - not a timeout floor; a polled (0,0) figure of whole kernel "
         "ticks means the busy-polling sides could not each get a core)\n";
  return out;
}

std::string FormatFindings(const std::vector<PointResult>& results, const SweepAnalysis& analysis) {
  std::string out;
  size_t n = 0;
  for (const PointResult& r : results) {
    if (!r.finding) continue;
    ++n;
    out += "  #" + std::to_string(r.id) + " " + std::string(WorkloadName(r.point.workload)) + " qd " +
           std::to_string(r.point.qd) + " " + r.point.KnobText() + ": " + r.finding->message + "\n";
  }
  const DetectorAudit& a = analysis.audit;
  char audit[320];
  std::snprintf(audit, sizeof(audit),
                "  audit: %zu of %zu gated points whose p50 is within 5 %% of their timeout floor are flagged; "
                "%zu of %zu polled points are put down to a timeout, %zu to the kernel tick\n",
                a.gated_at_floor_flagged, a.gated_at_floor, a.polled_flagged_timeout, a.polled, a.polled_flagged_tick);
  return "Quantization: " + std::to_string(n) + " point" + (n == 1 ? "" : "s") + " flagged\n" + out + audit;
}

std::string FormatRecommendations(const std::vector<PointResult>& results, const SweepAnalysis& analysis,
                                  Objective objective) {
  std::string out = "Recommendations (objective " + std::string(ObjectiveName(objective)) +
                    "; cores = CPU of both sides per second; gated and quantized points are never recommended)\n";
  std::map<std::pair<Workload, uint32_t>, std::vector<size_t>> fronts;
  for (const PointResult& r : results) {
    if (r.pareto) fronts[{r.point.workload, r.point.qd}].push_back(r.id);
  }
  std::pair<Workload, uint32_t> last{Workload::kStorageWrite, 0};
  for (const Recommendation& rec : analysis.recommendations) {
    const std::pair<Workload, uint32_t> g{rec.workload, rec.qd};
    if (g != last) {
      last = g;
      std::string f;
      for (size_t id : fronts[g]) {
        char b[96];
        std::snprintf(b, sizeof(b), "%s#%zu (%.2f cores, %s)", f.empty() ? "" : ", ", id, results[id].m.cores(),
                      Cell(results[id].ObjectiveUs(objective)).c_str());
        f += b;
      }
      out += "  " + std::string(WorkloadName(rec.workload)) + " qd " + std::to_string(rec.qd) + " Pareto front: " +
             (f.empty() ? "empty" : f) + "\n";
    }
    out += "    " + rec.text + "\n";
  }
  return out;
}

}  // namespace benchfs

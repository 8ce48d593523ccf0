// SPDX-License-Identifier: BSD-3-Clause
// Floors, best polled p50s, detector verdicts, fronts, recommendations, seed checks.
#include "sweep/analysis.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>

#include "sweep/pareto.h"

namespace benchfs {
namespace {

double Us(Duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

using Group = std::pair<Workload, uint32_t>;

std::string Setting(const PointResult& r) {
  const ExecutorConfig& k = r.point.knobs;
  return std::string(ReactorModeName(k.reactor_mode)) + ", submit_timeout=" + FormatDuration(k.submit_timeout) +
         ", complete_timeout=" + FormatDuration(k.complete_timeout) + ", idle_spin=" + FormatDuration(k.idle_spin) +
         ", ring_setup=" + std::string(RingSetupName(k.ring_setup)) + ", submit_batch=" + std::to_string(k.submit_batch);
}

Recommendation Choose(const std::vector<PointResult>& results, const std::vector<TradeoffPoint>& pts, Group g,
                      const CpuBudget& budget, Objective objective) {
  Recommendation rec;
  rec.workload = g.first;
  rec.qd = g.second;
  rec.budget = budget;
  std::vector<TradeoffPoint> within = pts;
  if (budget.mostly_idle) {
    for (TradeoffPoint& t : within) t.eligible = t.eligible && results[t.id].MostlyIdle();
  }
  rec.point = Recommend(within, budget.mostly_idle ? std::numeric_limits<double>::infinity() : budget.cores);
  const std::string head = std::string(WorkloadName(g.first)) + " qd " + std::to_string(g.second) + ", " +
                           budget.Text() + ": ";
  char line[512];
  if (rec.point) {
    const PointResult& r = results[*rec.point];
    std::snprintf(line, sizeof(line), "%s -> %s %s, %.2f cores under load, %.2f idle, %.1f us CPU/op",
                  Setting(r).c_str(), std::string(ObjectiveName(objective)).c_str(),
                  FormatLatencyUs(r.ObjectiveUs(objective)).c_str(), r.m.cores(), r.m.idle_cores(),
                  r.m.cpu_per_op_us());
    rec.text = head + line;
    return rec;
  }
  double least = std::numeric_limits<double>::infinity();
  for (const TradeoffPoint& t : pts) {
    if (t.eligible) least = std::min(least, t.cores);
  }
  if (std::isinf(least)) {
    rec.text = head + "no recommendable setting was measured";
  } else if (budget.mostly_idle) {
    rec.text = head + "no recommendable setting parks when idle";
  } else {
    std::snprintf(line, sizeof(line), "no measured setting fits; the most frugal uses %.2f cores", least);
    rec.text = head + line;
  }
  return rec;
}

}  // namespace

std::string_view ObjectiveName(Objective o) { return o == Objective::kP50 ? "p50" : "p99"; }

Result<Objective> ParseObjective(std::string_view text) {
  if (text == "p50") return Objective::kP50;
  if (text == "p99") return Objective::kP99;
  return Status::InvalidArgument("objective '" + std::string(text) + "' is unknown: use p50 or p99");
}

std::string CpuBudget::Text() const {
  if (mostly_idle) return "mostly idle";
  if (std::isinf(cores)) return "no CPU limit";
  char b[48];
  std::snprintf(b, sizeof(b), "≤ %g core%s", cores, cores == 1.0 ? "" : "s");
  return b;
}

Result<std::vector<CpuBudget>> ParseCpuBudgets(const std::string& text) {
  std::vector<CpuBudget> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    CpuBudget b;
    if (item == "idle" || item == "mostly-idle") {
      b.mostly_idle = true;
    } else if (item == "inf" || item == "any") {
      b.cores = std::numeric_limits<double>::infinity();
    } else {
      char* rest = nullptr;
      b.cores = std::strtod(item.c_str(), &rest);
      if (item.empty() || rest == nullptr || *rest != '\0' || !(b.cores > 0) || !std::isfinite(b.cores)) {
        return Status::InvalidArgument("CPU budget '" + item + "' is not a positive number of cores, idle or inf");
      }
    }
    out.push_back(b);
    start = end + 1;
  }
  return out;
}

double PointResult::Percentile(double q) const {
  return static_cast<double>(m.load.latency_ns.Percentile(q)) / 1000.0;
}

bool PointResult::Recommendable() const {
  return measured() && m.load.errors == 0 && point.knobs.reactor_mode == ReactorMode::kPolled && !finding;
}

SweepAnalysis Analyze(std::vector<PointResult>& results, const KernelTick& tick,
                      const std::vector<CpuBudget>& budgets, Objective objective, const DetectorRule& rule) {
  SweepAnalysis out;
  std::map<Group, size_t> zero;
  std::map<Group, double> best_polled;
  std::map<Group, std::vector<size_t>> groups;
  for (size_t i = 0; i < results.size(); ++i) {
    const PointResult& r = results[i];
    const Group g{r.point.workload, r.point.qd};
    groups[g].push_back(i);
    if (!r.measured()) continue;
    if (r.point.plane == Plane::kZero) zero[g] = i;
    if (r.point.knobs.reactor_mode == ReactorMode::kPolled) {
      auto it = best_polled.find(g);
      if (it == best_polled.end() || r.p50_us() < it->second) best_polled[g] = r.p50_us();
    }
  }

  for (PointResult& r : results) {
    const ExecutorConfig& k = r.point.knobs;
    const uint32_t io_ops = Info(r.point.workload).gated_io_ops;
    r.timeout_floor_us = Us(TimeoutFloor(k.reactor_mode, k.submit_timeout, k.complete_timeout, io_ops));
    r.best_polled_p50_us.reset();
    auto best = best_polled.find({r.point.workload, r.point.qd});
    if (best != best_polled.end()) r.best_polled_p50_us = best->second;
    r.finding.reset();
    r.pareto = false;
    if (!r.measured()) continue;
    DetectorInput in;
    in.mode = k.reactor_mode;
    in.submit_timeout = k.submit_timeout;
    in.complete_timeout = k.complete_timeout;
    in.qd = r.point.qd;
    in.gated_io_ops = io_ops;
    in.latency_ns = &r.m.load.latency_ns;
    in.reference_p50_us = r.best_polled_p50_us;
    in.tick = tick.tick;
    in.hz = tick.hz;
    r.finding = DetectQuantization(in, rule);
    DetectorAudit& a = out.audit;
    if (k.reactor_mode == ReactorMode::kGated) {
      if (r.timeout_floor_us > 0 && std::fabs(r.p50_us() - r.timeout_floor_us) <= rule.tolerance * r.timeout_floor_us) {
        ++a.gated_at_floor;
        if (r.finding) ++a.gated_at_floor_flagged;
      }
    } else {
      ++a.polled;
      if (r.finding && r.finding->knob == kTickKnob) ++a.polled_flagged_tick;
      else if (r.finding) ++a.polled_flagged_timeout;
    }
  }

  for (const auto& [g, ids] : groups) {
    std::vector<TradeoffPoint> pts;
    for (size_t i : ids) {
      const PointResult& r = results[i];
      if (!r.measured()) continue;
      pts.push_back({i, r.m.cores(), r.ObjectiveUs(objective), r.Recommendable()});
    }
    for (size_t id : ParetoFront(pts)) results[id].pareto = true;
    for (const CpuBudget& b : budgets) out.recommendations.push_back(Choose(results, pts, g, b, objective));
  }

  // The seed check: the largest timeout pair measured in both modes.
  Duration seed_s{-1};
  Duration seed_c{-1};
  for (const PointResult& g : results) {
    if (g.point.knobs.reactor_mode != ReactorMode::kGated) continue;
    for (const PointResult& p : results) {
      if (p.point.knobs.reactor_mode != ReactorMode::kPolled) continue;
      if (p.point.plane != Plane::kTimeout && p.point.plane != Plane::kCross) continue;
      if (p.point.knobs.submit_timeout != g.point.knobs.submit_timeout ||
          p.point.knobs.complete_timeout != g.point.knobs.complete_timeout) {
        continue;
      }
      const Duration s = g.point.knobs.submit_timeout;
      const Duration c = g.point.knobs.complete_timeout;
      if (s + c > seed_s + seed_c || (s + c == seed_s + seed_c && s > seed_s)) {
        seed_s = s;
        seed_c = c;
      }
    }
  }
  if (seed_s + seed_c > Duration(0)) {
    for (const auto& [g, ids] : groups) {
      SeedCheck sc;
      sc.workload = g.first;
      sc.qd = g.second;
      sc.submit_timeout = seed_s;
      sc.complete_timeout = seed_c;
      auto z = zero.find(g);
      if (z != zero.end()) sc.polled_zero = z->second;
      for (size_t i : ids) {
        const SweepPoint& p = results[i].point;
        if (p.knobs.submit_timeout != seed_s || p.knobs.complete_timeout != seed_c) continue;
        if (p.plane != Plane::kTimeout && p.plane != Plane::kCross) continue;
        auto& slot = p.knobs.reactor_mode == ReactorMode::kGated ? sc.gated : sc.polled;
        if (!slot) slot = i;
      }
      if (sc.polled || sc.gated) out.seed_checks.push_back(sc);
    }
  }
  return out;
}

}  // namespace benchfs

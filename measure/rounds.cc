// SPDX-License-Identifier: BSD-3-Clause
// Combining rounds, flagging floors that are not below their measurements.
#include "measure/rounds.h"

#include <algorithm>
#include <cstdio>

namespace benchfs {
namespace {

double Us(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

std::string RowName(const OpResult& r) {
  if (r.size == 0) return r.op;
  return r.op + " " + (r.size % 1024 == 0 ? std::to_string(r.size / 1024) + "KiB" : std::to_string(r.size) + "B");
}

template <typename F>
std::vector<double> Each(const OpResult& r, F f) {
  std::vector<double> v;
  for (const RoundFigures& x : r.rounds) {
    if (auto value = f(x)) v.push_back(*value);
  }
  return v;
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

RoundFigures FiguresOf(const OpResult& r) {
  const Histogram& h = r.load.latency_ns;
  RoundFigures f;
  f.p50_us = Us(h.Percentile(0.5));
  f.p90_us = Us(h.Percentile(0.9));
  f.p99_us = Us(h.Percentile(0.99));
  f.p999_us = Us(h.Percentile(0.999));
  f.ops_per_s = r.load.ops_per_s();
  f.floor_us = r.floor_us;
  f.breakdown = r.breakdown;
  return f;
}

RoundFigures Reported(const OpResult& r) {
  if (r.rounds.size() <= 1) return FiguresOf(r);
  RoundFigures f;
  f.p50_us = Median(Each(r, [](const RoundFigures& x) { return std::optional<double>(x.p50_us); }));
  f.p90_us = Median(Each(r, [](const RoundFigures& x) { return std::optional<double>(x.p90_us); }));
  f.p99_us = Median(Each(r, [](const RoundFigures& x) { return std::optional<double>(x.p99_us); }));
  f.p999_us = Median(Each(r, [](const RoundFigures& x) { return std::optional<double>(x.p999_us); }));
  f.ops_per_s = Median(Each(r, [](const RoundFigures& x) { return std::optional<double>(x.ops_per_s); }));
  f.floor_us = r.floor_us;
  return f;
}

std::vector<OpResult> CombineRounds(const std::vector<std::vector<OpResult>>& rounds) {
  std::vector<OpResult> out;
  if (rounds.empty()) return out;
  for (const OpResult& first : rounds.front()) {
    OpResult row = first;
    row.load = LoadResult();
    row.rounds.clear();
    row.breakdown.reset();
    Duration elapsed{0};
    for (const auto& round : rounds) {
      for (const OpResult& r : round) {
        if (r.op != first.op || r.size != first.size) continue;
        row.load.latency_ns.Merge(r.load.latency_ns);
        row.load.ok += r.load.ok;
        row.load.errors += r.load.errors;
        row.load.late_starts += r.load.late_starts;
        elapsed += r.load.elapsed;
        if (row.load.first_error.ok() && !r.load.first_error.ok()) row.load.first_error = r.load.first_error;
        if (row.first_error.empty()) row.first_error = r.first_error;
        row.rounds.push_back(FiguresOf(r));
        break;
      }
    }
    row.load.elapsed = elapsed;
    const std::vector<double> floors =
        Each(row, [](const RoundFigures& x) { return x.floor_us; });
    row.floor_us.reset();
    if (!floors.empty()) row.floor_us = Median(floors);
    out.push_back(std::move(row));
  }
  return out;
}

const Breakdown* BreakdownAt(const OpResult& r, double q) {
  if (r.rounds.size() <= 1) return r.breakdown.get();
  std::vector<const RoundFigures*> by;
  for (const RoundFigures& x : r.rounds) {
    if (x.breakdown) by.push_back(&x);
  }
  if (by.empty()) return nullptr;
  const bool tail = q > 0.5;
  std::sort(by.begin(), by.end(), [tail](const RoundFigures* a, const RoundFigures* b) {
    return tail ? a->p99_us < b->p99_us : a->p50_us < b->p50_us;
  });
  return by[(by.size() - 1) / 2]->breakdown.get();
}

void FlagSuspectFloors(std::vector<OpResult>& rows) {
  for (OpResult& r : rows) {
    r.floor_suspect = false;
    r.floor_note.clear();
    if (!r.floor_us || *r.floor_us <= 0 || r.load.ok == 0) continue;
    const RoundFigures f = Reported(r);
    if (f.p50_us >= kFloorSuspectRatio * *r.floor_us) continue;
    r.floor_suspect = true;
    const std::vector<double> floors = Each(r, [](const RoundFigures& x) { return x.floor_us; });
    char note[256];
    if (floors.size() > 1 && *std::max_element(floors.begin(), floors.end()) >
                                 kNoisyFloorSpread * *std::min_element(floors.begin(), floors.end())) {
      std::snprintf(note, sizeof(note),
                    "the floor moved %.2f-%.2f us between its blocks: the host was busier while floors were "
                    "measured",
                    *std::min_element(floors.begin(), floors.end()), *std::max_element(floors.begin(), floors.end()));
    } else {
      std::snprintf(note, sizeof(note),
                    "p50 %.2f us is below its floor %.2f us: a part of the floor's shape costs more than the "
                    "operation's own (e.g. the bare echo's transport or the storage floor's file differs from "
                    "the path the operation took)",
                    f.p50_us, *r.floor_us);
    }
    r.floor_note = note;
  }
}

std::vector<std::string> NoisyHostWarnings(const std::vector<OpResult>& rows) {
  const OpResult* worst = nullptr;
  double worst_spread = 0, worst_lo = 0, worst_hi = 0;
  size_t worst_blocks = 0, noisy = 0;
  for (const OpResult& r : rows) {
    const std::vector<double> floors = Each(r, [](const RoundFigures& x) { return x.floor_us; });
    if (floors.size() < 2) continue;
    const double lo = *std::min_element(floors.begin(), floors.end());
    const double hi = *std::max_element(floors.begin(), floors.end());
    if (lo <= 0 || hi <= kNoisyFloorSpread * lo) continue;
    ++noisy;
    if (hi / lo > worst_spread) {
      worst = &r;
      worst_spread = hi / lo;
      worst_lo = lo;
      worst_hi = hi;
      worst_blocks = floors.size();
    }
  }
  if (worst == nullptr) return {};
  char line[320];
  std::snprintf(line, sizeof(line),
                "noisy host: the %s floor moved %.2f-%.2f us (%.2fx) across %zu blocks (threshold %.2fx)%s; "
                "compare figures only within one run",
                RowName(*worst).c_str(), worst_lo, worst_hi, worst_spread, worst_blocks, kNoisyFloorSpread,
                noisy > 1 ? (", and the floors of " + std::to_string(noisy - 1) + " more row" + (noisy > 2 ? "s" : "") +
                             " moved more than that")
                                .c_str()
                          : "");
  return {line};
}

}  // namespace benchfs

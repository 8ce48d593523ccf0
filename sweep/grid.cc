// SPDX-License-Identifier: BSD-3-Clause
// Presets, validation, list parsing and expansion of the sweep grid.
#include "sweep/grid.h"

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>

#include "service/knobs.h"

namespace benchfs {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t b = item.find_first_not_of(" \t");
    const size_t e = item.find_last_not_of(" \t");
    out.push_back(b == std::string::npos ? "" : item.substr(b, e - b + 1));
  }
  return out;
}

template <typename T>
Result<std::vector<T>> ParseList(const std::string& text, const std::string& flag,
                                 const std::function<Result<T>(const std::string&)>& parse) {
  std::vector<T> out;
  for (const std::string& item : SplitComma(text)) {
    if (item.empty()) {
      return Status::InvalidArgument(flag + ": empty element in '" + text + "'");
    }
    Result<T> v = parse(item);
    if (!v.ok()) return Status::InvalidArgument(flag + ": " + v.status().message());
    if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
  }
  if (out.empty()) return Status::InvalidArgument(flag + ": give at least one value");
  return out;
}

std::string Us(Duration d) { return FormatDuration(d); }

}  // namespace

SweepAxes SweepAxes::Full() {
  SweepAxes a;
  a.modes = {ReactorMode::kPolled, ReactorMode::kGated};
  const std::vector<Duration> timeouts = {Duration(0),      microseconds(1), microseconds(10),
                                          microseconds(100), milliseconds(1), milliseconds(10),
                                          milliseconds(50),  milliseconds(100)};
  a.submit_timeouts = timeouts;
  a.complete_timeouts = timeouts;
  a.submit_batches = {32};
  a.idle_spins = {Duration(0), microseconds(10), microseconds(50), microseconds(200), microseconds(1000)};
  a.ring_setups = {RingSetup::kNone, RingSetup::kCoopTaskrun, RingSetup::kSingleIssuerDeferTaskrun,
                   RingSetup::kSqpoll};
  a.qds = {1, 8, 64};
  a.workloads = AllWorkloads();
  return a;
}

SweepAxes SweepAxes::Quick() {
  SweepAxes a;
  a.modes = {ReactorMode::kPolled, ReactorMode::kGated};
  a.submit_timeouts = {Duration(0), milliseconds(50)};
  a.complete_timeouts = {Duration(0), microseconds(10), milliseconds(100)};
  a.submit_batches = {32};
  a.idle_spins = {Duration(0), microseconds(50), microseconds(1000)};
  a.ring_setups = {RingSetup::kNone};
  a.qds = {1, 8};
  a.workloads = AllWorkloads();
  return a;
}

Status SweepAxes::Validate() const {
  auto empty = [](const char* axis) {
    return Status::InvalidArgument(std::string("the sweep axis ") + axis + " has no values");
  };
  if (modes.empty()) return empty("modes");
  if (submit_timeouts.empty()) return empty("submit_timeouts");
  if (complete_timeouts.empty()) return empty("complete_timeouts");
  if (submit_batches.empty()) return empty("submit_batches");
  if (idle_spins.empty()) return empty("idle_spins");
  if (ring_setups.empty()) return empty("ring_setups");
  if (qds.empty()) return empty("qds");
  if (workloads.empty()) return empty("workloads");
  for (Duration d : submit_timeouts) {
    if (d < Duration(0) || d > kMaxTimeoutKnob) {
      return Status::InvalidArgument("submit timeout " + Us(d) + " is out of range: allowed 0..10s");
    }
  }
  for (Duration d : complete_timeouts) {
    if (d < Duration(0) || d > kMaxTimeoutKnob) {
      return Status::InvalidArgument("complete timeout " + Us(d) + " is out of range: allowed 0..10s");
    }
  }
  for (Duration d : idle_spins) {
    if (d < Duration(0) || d > kMaxTimeoutKnob) {
      return Status::InvalidArgument("idle spin " + Us(d) + " is out of range: allowed 0..10s");
    }
  }
  for (uint32_t q : qds) {
    if (q == 0 || q > 4096) {
      return Status::InvalidArgument("qd " + std::to_string(q) + " is out of range: allowed 1..4096");
    }
  }
  return Status();
}

std::string_view PlaneName(Plane p) {
  switch (p) {
    case Plane::kTimeout: return "timeout";
    case Plane::kPolling: return "polling";
    case Plane::kZero: return "zero";
    case Plane::kCross: return "cross";
  }
  return "?";
}

std::string SweepPoint::KnobText() const {
  return std::string(ReactorModeName(knobs.reactor_mode)) + " s=" + Us(knobs.submit_timeout) +
         " c=" + Us(knobs.complete_timeout) + " spin=" + Us(knobs.idle_spin) +
         " ring=" + std::string(RingSetupName(knobs.ring_setup)) + " batch=" + std::to_string(knobs.submit_batch);
}

std::string SweepPoint::Key() const {
  return std::string(WorkloadName(workload)) + " qd=" + std::to_string(qd) + " " + KnobText();
}

SweepPoint ZeroPointOf(const SweepPoint& p, const ExecutorConfig& base) {
  SweepPoint r;
  r.workload = p.workload;
  r.qd = p.qd;
  r.knobs = base;
  r.knobs.reactor_mode = ReactorMode::kPolled;
  r.knobs.submit_timeout = Duration(0);
  r.knobs.complete_timeout = Duration(0);
  r.plane = Plane::kZero;
  return r;
}

std::vector<SweepPoint> ExpandGrid(const SweepAxes& a, const ExecutorConfig& base, bool cross) {
  std::vector<SweepPoint> out;
  std::set<std::string> seen;
  auto add = [&](SweepPoint p) {
    if (seen.insert(p.Key()).second) out.push_back(std::move(p));
  };
  const bool has_polled = std::find(a.modes.begin(), a.modes.end(), ReactorMode::kPolled) != a.modes.end();
  for (Workload w : a.workloads) {
    for (uint32_t qd : a.qds) {
      SweepPoint p;
      p.workload = w;
      p.qd = qd;
      add(ZeroPointOf(p, base));
      if (cross) {
        p.plane = Plane::kCross;
        for (ReactorMode m : a.modes)
          for (Duration s : a.submit_timeouts)
            for (Duration c : a.complete_timeouts)
              for (uint32_t b : a.submit_batches)
                for (Duration spin : a.idle_spins)
                  for (RingSetup r : a.ring_setups) {
                    p.knobs = base;
                    p.knobs.reactor_mode = m;
                    p.knobs.submit_timeout = s;
                    p.knobs.complete_timeout = c;
                    p.knobs.submit_batch = b;
                    p.knobs.idle_spin = spin;
                    p.knobs.ring_setup = r;
                    add(p);
                  }
        continue;
      }
      p.plane = Plane::kTimeout;
      for (ReactorMode m : a.modes) {
        for (Duration s : a.submit_timeouts) {
          for (Duration c : a.complete_timeouts) {
            p.knobs = base;
            p.knobs.reactor_mode = m;
            p.knobs.submit_timeout = s;
            p.knobs.complete_timeout = c;
            add(p);
          }
        }
      }
      if (!has_polled) continue;
      p.plane = Plane::kPolling;
      std::vector<Duration> parks = {Duration(0)};
      if (base.complete_timeout != Duration(0)) parks.push_back(base.complete_timeout);
      for (Duration c : parks)
        for (Duration spin : a.idle_spins)
          for (RingSetup r : a.ring_setups)
            for (uint32_t b : a.submit_batches) {
              p.knobs = base;
              p.knobs.reactor_mode = ReactorMode::kPolled;
              p.knobs.complete_timeout = c;
              p.knobs.idle_spin = spin;
              p.knobs.ring_setup = r;
              p.knobs.submit_batch = b;
              add(p);
            }
    }
  }
  return out;
}

Result<std::vector<Duration>> ParseDurationList(const std::string& text, const std::string& flag) {
  return ParseList<Duration>(text, flag, [](const std::string& s) { return ParseDuration(s); });
}

Result<std::vector<uint32_t>> ParseUintList(const std::string& text, const std::string& flag, uint32_t lo,
                                            uint32_t hi) {
  return ParseList<uint32_t>(text, flag, [lo, hi](const std::string& s) -> Result<uint32_t> {
    auto v = ParseUint(s, lo, hi);
    if (!v.ok()) return v.status();
    return static_cast<uint32_t>(*v);
  });
}

Result<std::vector<ReactorMode>> ParseModeList(const std::string& text, const std::string& flag) {
  return ParseList<ReactorMode>(text, flag, [](const std::string& s) { return ParseReactorMode(s); });
}

Result<std::vector<RingSetup>> ParseRingSetupList(const std::string& text, const std::string& flag) {
  return ParseList<RingSetup>(text, flag, [](const std::string& s) { return ParseRingSetup(s); });
}

Result<std::vector<Workload>> ParseWorkloadList(const std::string& text, const std::string& flag) {
  return ParseList<Workload>(text, flag, [](const std::string& s) { return ParseWorkload(s); });
}

}  // namespace benchfs

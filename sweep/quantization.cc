// SPDX-License-Identifier: BSD-3-Clause
// Candidate floors, the clustering test and the messages.
#include "sweep/quantization.h"

#include <cmath>
#include <cstdio>
#include <vector>

namespace benchfs {
namespace {

struct Candidate {
  double floor_us;
  std::string knob;
  std::string detail;  // the arithmetic, e.g. "50ms + 100ms"
  std::string advice;
  bool tick = false;
};

double Us(Duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// Midpoint of a histogram bucket, in µs (values below 128 ns are exact).
double BucketMidUs(size_t b) {
  const double lo = static_cast<double>(Histogram::LowerBound(b));
  const double hi = static_cast<double>(Histogram::UpperBound(b));
  return (lo + (hi - lo - 1) / 2.0) / 1000.0;
}

// Share of the recorded operations within tolerance of `floor_us`.
double ShareNear(const Histogram& h, double floor_us, double tol) {
  if (h.count() == 0) return 0;
  uint64_t near = 0;
  const auto& buckets = h.buckets();
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (buckets[b] == 0) continue;
    if (std::fabs(BucketMidUs(b) - floor_us) <= tol * floor_us) near += buckets[b];
  }
  return static_cast<double>(near) / static_cast<double>(h.count());
}

// Share of the recorded operations within tolerance of some multiple (>= 1) of `tick_us`.
double ShareOnTicks(const Histogram& h, double tick_us, double tol) {
  if (h.count() == 0 || tick_us <= 0) return 0;
  uint64_t near = 0;
  const auto& buckets = h.buckets();
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (buckets[b] == 0) continue;
    const double v = BucketMidUs(b);
    const double j = std::max(1.0, std::round(v / tick_us));
    if (std::fabs(v - j * tick_us) <= tol * j * tick_us) near += buckets[b];
  }
  return static_cast<double>(near) / static_cast<double>(h.count());
}

std::vector<Candidate> TimeoutCandidates(const DetectorInput& in, const DetectorRule& rule) {
  std::vector<Candidate> out;
  const double s = Us(in.submit_timeout);
  const double c = Us(in.complete_timeout);
  const std::string st = FormatDuration(in.submit_timeout);
  const std::string ct = FormatDuration(in.complete_timeout);
  if (in.mode == ReactorMode::kGated) {
    if (in.gated_io_ops == 0 || s + c <= 0) return out;
    const std::string advice = "try polled mode or smaller timeouts";
    std::string sum_knob;
    std::string sum_detail;
    if (s > 0 && c > 0) {
      sum_knob = "submit_timeout + complete_timeout";
      sum_detail = st + " + " + ct;
    } else if (s > 0) {
      sum_knob = "submit_timeout";
      sum_detail = st;
    } else {
      sum_knob = "complete_timeout";
      sum_detail = ct;
    }
    for (uint32_t m = 1; m <= rule.max_multiple; ++m) {
      Candidate k;
      k.floor_us = m * (s + c);
      k.knob = m == 1 ? sum_knob : std::to_string(m) + " x (" + sum_knob + ")";
      k.detail = m == 1 ? sum_detail : std::to_string(m) + " x (" + sum_detail + ")";
      k.advice = m == 1 ? advice
                        : "each operation waits for " + std::to_string(m) +
                              " gated io_uring operations in a row; " + advice;
      out.push_back(std::move(k));
    }
    if (s > 0 && c > 0) {
      out.push_back({s, "submit_timeout", st, "try polled mode or a smaller submit_timeout"});
      out.push_back({c, "complete_timeout", ct, "try polled mode or a smaller complete_timeout"});
    }
    return out;
  }
  if (in.qd > 1 && s > 0) {
    out.push_back({s, "submit_timeout", st + ", submissions held back for a batch",
                   "lower submit_timeout or submit_batch"});
  }
  return out;
}

std::string Percent(double share) {
  char b[16];
  std::snprintf(b, sizeof(b), "%.0f %%", share * 100);
  return b;
}

}  // namespace

std::string FormatLatencyUs(double us) {
  char b[32];
  if (us >= 1e6) {
    std::snprintf(b, sizeof(b), "%.2f s", us / 1e6);
  } else if (us >= 1000) {
    std::snprintf(b, sizeof(b), "%.1f ms", us / 1000);
  } else {
    std::snprintf(b, sizeof(b), "%.1f us", us);
  }
  return b;
}

Duration TimeoutFloor(ReactorMode mode, Duration s, Duration c, uint32_t gated_io_ops) {
  if (mode != ReactorMode::kGated) return Duration(0);
  return (s + c) * gated_io_ops;
}

std::optional<QuantizationFinding> DetectQuantization(const DetectorInput& in, const DetectorRule& rule) {
  if (in.latency_ns == nullptr || in.latency_ns->count() == 0) return std::nullopt;
  const Histogram& h = *in.latency_ns;
  const double p50 = static_cast<double>(h.Percentile(0.5)) / 1000.0;
  auto attributable = [&](double floor_us) {
    return !in.reference_p50_us || floor_us >= rule.reference_factor * *in.reference_p50_us;
  };
  auto close = [&](double floor_us) { return floor_us > 0 && std::fabs(p50 - floor_us) <= rule.tolerance * floor_us; };

  // The configured timeouts first: the nearest candidate that fits.
  const std::vector<Candidate> timeouts = TimeoutCandidates(in, rule);
  const Candidate* best = nullptr;
  for (const Candidate& k : timeouts) {
    if (!close(k.floor_us) || !attributable(k.floor_us)) continue;
    if (best == nullptr || std::fabs(p50 - k.floor_us) < std::fabs(p50 - best->floor_us)) best = &k;
  }
  std::vector<Candidate> kept;
  if (best != nullptr) {
    kept.push_back(*best);
  } else if (in.tick > Duration(0)) {
    const double tick = Us(in.tick);
    const double on_ticks = ShareOnTicks(h, tick, rule.tolerance);
    for (uint32_t j = 1; j <= rule.max_tick_multiple && kept.empty(); ++j) {
      const double f = j * tick;
      if (!close(f) || !attributable(f) || on_ticks < rule.tick_share) continue;
      Candidate k;
      k.floor_us = f;
      k.tick = true;
      k.knob = kTickKnob;
      k.detail = (j == 1 ? std::string("1 tick") : std::to_string(j) + " ticks") + " of " + FormatLatencyUs(tick) +
                 (in.hz ? ", CONFIG_HZ=" + std::to_string(in.hz) : std::string());
      k.advice = "operations wait whole scheduler ticks: busy threads share a CPU (more busy-polling threads "
                 "than free cores) or something sleeps on a jiffy timer; give each busy-polling executor a core "
                 "of its own, or let them park (complete_timeout > 0, a shorter idle_spin)";
      kept.push_back(std::move(k));
    }
  }
  if (kept.empty()) return std::nullopt;
  const Candidate& k = kept.front();
  QuantizationFinding f;
  f.knob = k.knob;
  f.floor_us = k.floor_us;
  f.p50_us = p50;
  f.near_share = k.tick ? ShareOnTicks(h, Us(in.tick), rule.tolerance) : ShareNear(h, k.floor_us, rule.tolerance);
  f.message = "p50 = " + FormatLatencyUs(p50) + " ≈ " + k.knob + " (" + k.detail + ") with " +
              Percent(f.near_share) + (k.tick ? " of operations on tick multiples" : " of operations within " + Percent(rule.tolerance) + " of it") +
              ": " + k.advice;
  return f;
}

}  // namespace benchfs

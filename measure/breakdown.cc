// SPDX-License-Identifier: BSD-3-Clause
// Stage accounting and the percentile bands.
#include "measure/breakdown.h"

#include <algorithm>
#include <cmath>

namespace benchfs {

std::string_view StageName(unsigned stage) {
  static constexpr std::string_view kNames[kStages] = {"send", "queue", "handler", "storage", "log", "reply"};
  return stage < kStages ? kNames[stage] : "unknown";
}

std::string_view StageTitle(unsigned stage) {
  static constexpr std::string_view kTitles[kStages] = {
      "client send -> server receive", "queue (receive -> handler start)", "handler work", "storage I/O",
      "metadata log", "reply send -> client wake-up"};
  return stage < kStages ? kTitles[stage] : "unknown";
}

void Breakdown::Record(uint64_t sent, uint64_t woke, uint64_t received, uint64_t started, uint64_t replied,
                       uint64_t io, uint64_t log) {
  if (calls_.size() >= kMaxCalls) return;
  Call c;
  auto diff = [](uint64_t a, uint64_t b) { return static_cast<int64_t>(a) - static_cast<int64_t>(b); };
  c.total = diff(woke, sent);
  const int64_t server = diff(replied, received);
  c.stage[kStageQueue] = diff(started, received);
  c.stage[kStageStorage] = static_cast<int64_t>(io);
  c.stage[kStageLog] = static_cast<int64_t>(log);
  c.stage[kStageHandler] = diff(replied, started) - c.stage[kStageStorage] - c.stage[kStageLog];
  if (same_clock_) {
    c.stage[kStageSend] = diff(received, sent);
    c.stage[kStageReply] = diff(woke, replied);
  } else {
    c.stage[kStageSend] = c.total - server;  // both network legs: the clocks differ
    c.stage[kStageReply] = 0;
  }
  calls_.push_back(c);
}

void Breakdown::Merge(const Breakdown& other) {
  same_clock_ = same_clock_ && other.same_clock_;
  for (const Call& c : other.calls_) {
    if (calls_.size() >= kMaxCalls) break;
    calls_.push_back(c);
  }
}

BreakdownFigures Breakdown::Figures() const {
  BreakdownFigures f;
  f.same_clock = same_clock_;
  f.calls = calls_.size();
  if (calls_.empty()) return f;
  std::vector<Call> sorted = calls_;
  std::sort(sorted.begin(), sorted.end(), [](const Call& a, const Call& b) { return a.total < b.total; });
  const size_t n = sorted.size();
  auto band = [&](double lo, double hi) {
    size_t a = std::min(static_cast<size_t>(std::floor(lo * static_cast<double>(n))), n - 1);
    size_t b = std::clamp(static_cast<size_t>(std::ceil(hi * static_cast<double>(n))), a + 1, n);
    StageBand out;
    for (size_t i = a; i < b; ++i) {
      for (unsigned k = 0; k < kStages; ++k) out.stage_us[k] += static_cast<double>(sorted[i].stage[k]);
      out.total_us += static_cast<double>(sorted[i].total);
    }
    out.calls = b - a;
    for (double& v : out.stage_us) v /= 1000.0 * static_cast<double>(out.calls);
    out.total_us /= 1000.0 * static_cast<double>(out.calls);
    return out;
  };
  f.p50 = band(0.45, 0.55);
  f.p99 = band(0.985, 0.995);
  return f;
}

}  // namespace benchfs

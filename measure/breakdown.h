// SPDX-License-Identifier: BSD-3-Clause
// Breakdown: where each call of a row spent its time, from the client's two
// clock reads (send, wake-up) and the server's trace (rpc/trace.h):
//
//   send        client send -> server receive (client, network, UCX)
//   queue       server receive -> handler start (the admission and fiber queue)
//   handler     handler work other than storage and log
//   storage     storage I/O (the chunk store's backend: the I/O and file opens)
//   log         metadata log append
//   reply       reply handed to UCX -> client wake-up (network, UCX, client)
//
// The six add up to the call's total exactly. They need one clock on both
// sides (client and server on the same host: same boot id); across hosts the
// send and reply stages cannot be told apart, so their sum is reported as
// `send` and `reply` is zero (`same_clock` false).
//
// Each row's figures are "at p50" and "at p99": the mean of each stage over
// the calls whose total lies in the 45-55th (98.5-99.5th) percentile band,
// so the stages of a band sum to that band's mean total - a p50 breakdown
// that adds up, which per-stage percentiles would not.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace benchfs {

enum Stage : unsigned { kStageSend, kStageQueue, kStageHandler, kStageStorage, kStageLog, kStageReply, kStages };
std::string_view StageName(unsigned stage);   // "send", "queue", ...
std::string_view StageTitle(unsigned stage);  // "client send -> server receive", ...

struct StageBand {
  std::array<double, kStages> stage_us{};
  double total_us = 0;  // the band's mean total: the sum of its stages
  uint64_t calls = 0;
};

struct BreakdownFigures {
  StageBand p50;
  StageBand p99;
  uint64_t calls = 0;
  bool same_clock = true;
};

class Breakdown {
 public:
  // Calls recorded at most; later ones are counted but not kept.
  static constexpr size_t kMaxCalls = 1 << 20;

  explicit Breakdown(bool same_clock) : same_clock_(same_clock) {}
  // One call: the client's send and wake-up and the server's timestamps
  // (ns of the steady clock), storage and log time (ns).
  void Record(uint64_t sent, uint64_t woke, uint64_t received, uint64_t started, uint64_t replied, uint64_t io,
              uint64_t log);
  void Merge(const Breakdown& other);
  BreakdownFigures Figures() const;
  bool same_clock() const { return same_clock_; }
  size_t calls() const { return calls_.size(); }

 private:
  struct Call {
    std::array<int64_t, kStages> stage{};
    int64_t total = 0;
  };
  bool same_clock_;
  std::vector<Call> calls_;
};

}  // namespace benchfs

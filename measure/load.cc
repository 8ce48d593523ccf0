// SPDX-License-Identifier: BSD-3-Clause
// Closed- and open-loop drivers.
#include "measure/load.h"

#include <cstdint>
#include <vector>

#include "runtime/event.h"
#include "runtime/semaphore.h"

namespace benchfs {

Status LoadSpec::Validate() const {
  auto bad = [](const std::string& m) { return Status::InvalidArgument(m); };
  if (rate == 0 && (qd == 0 || qd > kMaxQueueDepth)) {
    return bad("qd = " + std::to_string(qd) + " is out of range: allowed 1.." + std::to_string(kMaxQueueDepth) +
               " (each operation in flight runs on a fiber stack of its own)");
  }
  if (rate < 0 || rate > 1e9) return bad("rate must be between 0 (closed loop) and 1e9 operations/s");
  if (iterations == 0 && duration <= Duration(0)) return bad("give iterations or a duration");
  if (iterations != 0 && duration > Duration(0)) return bad("give iterations or a duration, not both");
  if (warmup_iterations != 0 && warmup > Duration(0)) return bad("give warm-up iterations or a warm-up time, not both");
  if (warmup_iterations > UINT64_MAX - iterations) {
    return bad("iterations (" + std::to_string(iterations) + ") plus warm-up (" + std::to_string(warmup_iterations) +
               ") overflow a 64-bit count");
  }
  if (max_outstanding == 0) return bad("max_outstanding must be at least 1");
  return Status();
}

namespace {

// Shared state of one run: which operation comes next, and when to stop.
struct Run {
  const LoadSpec& spec;
  LoadResult& result;
  uint64_t next = 0;
  uint64_t done = 0;
  TimePoint measure_from{};   // end of warm-up
  TimePoint stop_at = kNoDeadline;
  bool measuring = false;
  bool gave_up = false;

  bool InWarmup(uint64_t i, TimePoint now) const {
    if (spec.warmup_iterations > 0) return i < spec.warmup_iterations;
    return now < measure_from;
  }
  bool Finished(uint64_t i, TimePoint now) const {
    if (gave_up) return true;
    if (spec.iterations > 0) return i >= spec.warmup_iterations + spec.iterations;
    return now >= stop_at;
  }
  void Account(uint64_t i, TimePoint start, TimePoint end, const Status& s) {
    ++done;
    if (!s.ok() && spec.give_up && !gave_up && spec.give_up(s)) {
      gave_up = true;
      if (result.errors++ == 0) result.first_error = s;
      return;
    }
    if (InWarmup(i, start)) return;
    if (!measuring) return;
    if (s.ok()) {
      ++result.ok;
      result.latency_ns.Record(static_cast<uint64_t>((end - start).count()));
    } else {
      if (result.errors++ == 0) result.first_error = s;
    }
  }
};

}  // namespace

LoadResult RunLoad(Executor& ex, const LoadSpec& spec, const std::function<Status(uint64_t)>& op,
                   const std::function<void(uint64_t)>& tick) {
  LoadResult result;
  Status v = spec.Validate();
  if (!v.ok()) {
    result.errors = 1;
    result.first_error = v;
    return result;
  }
  Run run{spec, result};
  const TimePoint t0 = Now();
  run.measure_from = t0 + spec.warmup;
  if (spec.iterations == 0) run.stop_at = run.measure_from + spec.duration;
  run.measuring = true;
  TimePoint measured_start = spec.warmup_iterations > 0 ? kNoDeadline : run.measure_from;

  Event finished(ex);
  FiberHandle ticker;
  if (tick) {
    ticker = ex.Spawn([&] {
      while (!finished.Wait(WaitOptions::For(std::chrono::seconds(1)))) tick(run.done);
    });
  }

  auto mark_measured_start = [&](uint64_t i, TimePoint now) {
    if (spec.warmup_iterations > 0 && i == spec.warmup_iterations && measured_start == kNoDeadline) {
      measured_start = now;
    }
  };

  if (spec.rate == 0) {
    std::vector<FiberHandle> workers;
    for (uint32_t w = 0; w < spec.qd; ++w) {
      workers.push_back(ex.Spawn([&] {
        // One clock read per operation: a worker starts its next operation
        // as soon as the last one ends, so that end is the next start.
        TimePoint start = Now();
        while (true) {
          const uint64_t i = run.next;
          if (run.Finished(i, start)) return;
          ++run.next;
          mark_measured_start(i, start);
          if (spec.op_start != nullptr) *spec.op_start = start;
          Status s = op(i);
          const TimePoint end = Now();
          run.Account(i, start, end, s);
          start = end;
        }
      }));
    }
    for (auto& w : workers) ex.Join(w);
  } else {
    Semaphore slots(ex, spec.max_outstanding);
    const Duration interval = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / spec.rate));
    uint32_t outstanding = 0;
    Event drained(ex);
    for (uint64_t i = 0;; ++i) {
      const TimePoint intended = t0 + interval * static_cast<int64_t>(i);
      if (run.Finished(i, intended)) break;
      ex.SleepUntil(intended);
      slots.Acquire();
      const TimePoint now = Now();
      if (now - intended > std::chrono::milliseconds(1) && !run.InWarmup(i, intended)) ++result.late_starts;
      mark_measured_start(i, intended);
      ++outstanding;
      drained.Reset();
      ex.Spawn([&, i, intended] {
        if (spec.op_start != nullptr) *spec.op_start = intended;
        Status s = op(i);
        run.Account(i, intended, Now(), s);  // latency from the intended start
        slots.Release();
        if (--outstanding == 0) drained.Set();
      });
    }
    if (outstanding > 0) drained.Wait();
  }
  finished.Set();
  if (ticker.valid()) ex.Join(ticker);
  result.elapsed = Now() - (measured_start == kNoDeadline ? t0 : measured_start);
  result.gave_up = run.gave_up;
  return result;
}

}  // namespace benchfs

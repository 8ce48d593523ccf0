// SPDX-License-Identifier: BSD-3-Clause
// Validation and parsing of ExecutorConfig knobs.
#include "runtime/executor_config.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace benchfs {
namespace {

Status OutOfRange(std::string_view knob, const std::string& value, const std::string& range) {
  return Status::InvalidArgument(std::string(knob) + " = " + value + " is out of range: allowed " + range);
}

Status CheckDuration(std::string_view knob, Duration v, Duration lo, Duration hi) {
  if (v < lo || v > hi) {
    return OutOfRange(knob, FormatDuration(v), FormatDuration(lo) + ".." + FormatDuration(hi));
  }
  return Status();
}

Status CheckCount(std::string_view knob, uint64_t v, uint64_t lo, uint64_t hi,
                  std::string_view why = {}) {
  if (v < lo || v > hi) {
    std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    if (!why.empty()) range += " (" + std::string(why) + ")";
    return OutOfRange(knob, std::to_string(v), range);
  }
  return Status();
}

}  // namespace

Status ExecutorConfig::Validate() const {
  Status s;
  if (!(s = CheckCount("ring_entries", ring_entries, 1, kMaxRingEntries,
                       "io_uring's IORING_MAX_ENTRIES")).ok()) return s;
  if (!(s = CheckCount("submit_batch", submit_batch, 1, ring_entries,
                       "at most ring_entries")).ok()) return s;
  if (!(s = CheckDuration("submit_timeout", submit_timeout, Duration(0), kMaxTimeoutKnob)).ok()) return s;
  if (!(s = CheckDuration("complete_timeout", complete_timeout, Duration(0), kMaxTimeoutKnob)).ok()) return s;
  if (!(s = CheckDuration("idle_spin", idle_spin, Duration(0), std::chrono::seconds(1))).ok()) return s;
  if (!(s = CheckDuration("task_quota", task_quota, std::chrono::microseconds(1),
                          std::chrono::milliseconds(100))).ok()) return s;
  if (!(s = CheckCount("sqpoll_idle_ms", sqpoll_idle_ms, 1, 60000)).ok()) return s;
  if (!(s = CheckCount("fixed_files", fixed_files, 0, 1u << 16)).ok()) return s;
  if (!(s = CheckCount("io_workers", io_workers, 0, 1024)).ok()) return s;
  if (!(s = CheckCount("stack_size", stack_size, 16 * 1024, 64u << 20)).ok()) return s;
  if (!(s = CheckCount("stack_cache", stack_cache, 0, 1u << 20)).ok()) return s;
  if (any_thread && ring_setup == RingSetup::kSingleIssuerDeferTaskrun) {
    return Status::InvalidArgument("ring_setup = single_issuer_defer_taskrun cannot serve an executor driven by "
                                   "several threads (any_thread): the kernel accepts submissions from one thread only");
  }
  return s;
}

std::string_view ReactorModeName(ReactorMode m) {
  return m == ReactorMode::kPolled ? "polled" : "gated";
}

std::string_view RingSetupName(RingSetup s) {
  switch (s) {
    case RingSetup::kNone: return "none";
    case RingSetup::kCoopTaskrun: return "coop_taskrun";
    case RingSetup::kSingleIssuerDeferTaskrun: return "single_issuer_defer_taskrun";
    case RingSetup::kSqpoll: return "sqpoll";
  }
  return "?";
}

Result<ReactorMode> ParseReactorMode(std::string_view text) {
  if (text == "polled") return ReactorMode::kPolled;
  if (text == "gated") return ReactorMode::kGated;
  return Status::InvalidArgument("reactor_mode '" + std::string(text) + "' is unknown: use polled or gated");
}

Result<RingSetup> ParseRingSetup(std::string_view text) {
  if (text == "none") return RingSetup::kNone;
  if (text == "coop_taskrun") return RingSetup::kCoopTaskrun;
  if (text == "single_issuer_defer_taskrun" || text == "defer_taskrun")
    return RingSetup::kSingleIssuerDeferTaskrun;
  if (text == "sqpoll") return RingSetup::kSqpoll;
  return Status::InvalidArgument("ring_setup '" + std::string(text) +
                    "' is unknown: use none, coop_taskrun, single_issuer_defer_taskrun or sqpoll");
}

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("bad duration '" + std::string(text) + "': " + std::string(why) +
                      " (examples: 0, 500ns, 10us, 1.5ms, 2s)");
  };
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return bad("expected a number");
  double number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc() || ptr != text.data() + i || !std::isfinite(number)) return bad("expected a number");
  std::string_view unit = text.substr(i);
  double ns_per_unit;
  if (unit.empty()) {
    if (number != 0) return bad("a non-zero duration needs a unit");
    ns_per_unit = 0;
  } else if (unit == "ns") {
    ns_per_unit = 1;
  } else if (unit == "us" || unit == "\xC2\xB5s") {
    ns_per_unit = 1e3;
  } else if (unit == "ms") {
    ns_per_unit = 1e6;
  } else if (unit == "s") {
    ns_per_unit = 1e9;
  } else {
    return bad("unknown unit '" + std::string(unit) + "'");
  }
  double ns = number * ns_per_unit;
  if (ns > 1e18) return bad("too large");
  return Duration(static_cast<int64_t>(std::llround(ns)));
}

std::string FormatDuration(Duration d) {
  int64_t ns = d.count();
  if (ns == 0) return "0";
  if (ns % 1000000000 == 0) return std::to_string(ns / 1000000000) + "s";
  if (ns % 1000000 == 0) return std::to_string(ns / 1000000) + "ms";
  if (ns % 1000 == 0) return std::to_string(ns / 1000) + "us";
  return std::to_string(ns) + "ns";
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Per-request timestamps for the per-stage breakdown. A request sent with
// kWireFlagTrace asks the server for its own timestamps: when the message
// arrived (the AM callback), when its handler started, how long the handler
// spent in storage I/O and in the metadata log, and when the reply was
// handed to UCX. The server reads the clock only for such requests. The
// reply carries them (flag kWireFlagTrace) as the last kTraceBlockSize bytes
// of its operation header; the client strips them before decoding the rest.
//
// Trace block, little-endian: received u64, started u64, sent u64 (ns of the
// server's steady clock, CLOCK_MONOTONIC), io u64, log u64 (ns).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/clock.h"

namespace benchfs {

inline constexpr uint16_t kWireFlagTrace = 2;
inline constexpr size_t kTraceBlockSize = 40;

struct ServerTrace {
  uint64_t received_ns = 0;
  uint64_t started_ns = 0;
  uint64_t sent_ns = 0;
  uint64_t io_ns = 0;
  uint64_t log_ns = 0;
};

// Where a traced request's handler adds its storage and log time (null
// for untraced requests: the handler then reads no clock).
struct RequestTiming {
  TimePoint received{};
  TimePoint started{};
  Duration io{0};
  Duration log{0};
};

inline uint64_t SteadyNs(TimePoint t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

void AppendTrace(const ServerTrace& t, std::vector<std::byte>& header);
// The trace at the end of `header` (header.size() >= kTraceBlockSize).
ServerTrace DecodeTrace(std::span<const std::byte> header);

}  // namespace benchfs

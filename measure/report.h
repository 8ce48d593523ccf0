// SPDX-License-Identifier: BSD-3-Clause
// Results of a benchmark run and the ways they are written: a readable table,
// the JSON contract `benchfs.result/2`, and CSV for spreadsheets.
//
//   {"schema":"benchfs.result/2",
//    "manifest":{version, git, host, kernel, transport, backend, durability,
//                chunk_size, reactor{...}, qd, rate, started_at, servers, ...},
//    "results":[{op, size, qd, count, errors, p50_us, p90_us, p99_us, p999_us,
//                max_us, mean_us, ops_per_s, mib_per_s, rounds[, floor_us, ratio,
//                floor_suspect, floor_note][, p50_min_us, p50_max_us, p99_min_us,
//                p99_max_us, floor_min_us, floor_max_us, ratio_min, ratio_max,
//                round_figures:[{p50_us, p90_us, p99_us, ops_per_s[, floor_us, ratio]}]]
//                [, breakdown:{same_clock, calls, p50:{send_us, queue_us, handler_us,
//                storage_us, log_us, reply_us, total_us, calls}, p99:{...}}]}],
//    "baseline":{ucx_rtt_p50_us, log_append_p50_us, storage_write_p50_us,
//                storage_read_p50_us, storage_by_size,
//                servers:[{server, log_append_p50_us, storage_by_size}]}}
//
// With several rounds the percentiles and ops/s are medians over rounds and
// the floor the median over floor blocks (measure/rounds.h); max, count and
// errors cover every round.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "measure/op_result.h"

namespace benchfs {

inline constexpr const char* kResultSchema = "benchfs.result/2";

// One server's own storage floors (p50, us), for runs over several servers.
struct ServerFloors {
  std::string server;
  std::map<uint64_t, double> write_p50_us;  // by size
  std::map<uint64_t, double> read_p50_us;
  double log_append_p50_us = 0;
};

struct Baseline {
  std::vector<ServerFloors> servers;  // every server's storage floors (one block each)
  double ucx_rtt_p50_us = 0;
  double log_append_p50_us = 0;  // the server's metadata log append (0: no log)
  std::map<uint64_t, double> storage_write_p50_us;  // by size
  std::map<uint64_t, double> storage_read_p50_us;
};

struct Manifest {
  // Flat string fields in insertion order ("version", "git", "host", ...).
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::pair<std::string, std::string>> reactor;  // the client's reactor knobs
  std::vector<std::string> servers;
  uint32_t qd = 0;
  double rate = 0;
  uint64_t chunk_size = 0;

  void Set(const std::string& key, const std::string& value);
  std::string Get(const std::string& key) const;
};

// Version and host facts: version, git, host, kernel, started_at.
Manifest BaseManifest();

std::string FormatTable(const std::vector<OpResult>& results, const std::optional<Baseline>& baseline);
// The per-stage breakdown tables (at p50 and p99) of the rows that carry one.
std::string FormatBreakdown(const std::vector<OpResult>& results);
std::string ToJson(const Manifest& m, const std::vector<OpResult>& results,
                   const std::optional<Baseline>& baseline);
std::string ToCsv(const std::vector<OpResult>& results);

}  // namespace benchfs

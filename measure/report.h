// Results of a benchmark run and the ways they are written: a readable table,
// the JSON contract `benchfs.result/1`, and CSV for spreadsheets.
//
//   {"schema":"benchfs.result/1",
//    "manifest":{version, git, host, kernel, transport, backend, durability,
//                chunk_size, reactor{...}, qd, rate, started_at, servers, ...},
//    "results":[{op, size, qd, count, errors, p50_us, p90_us, p99_us, p999_us,
//                max_us, mean_us, ops_per_s, mib_per_s[, floor_us, ratio]}],
//    "baseline":{ucx_rtt_p50_us, storage_write_p50_us, storage_read_p50_us}}
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "measure/load.h"

namespace benchfs {

struct OpResult {
  std::string op;        // create, stat, delete, write, read, ping
  uint64_t size = 0;     // bytes per operation (0 for metadata)
  uint32_t qd = 0;
  double rate = 0;
  LoadResult load;
  std::optional<double> floor_us;  // the bare-hardware floor of this op, if measured
  std::string first_error;
};

struct Baseline {
  double ucx_rtt_p50_us = 0;
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
std::string ToJson(const Manifest& m, const std::vector<OpResult>& results,
                   const std::optional<Baseline>& baseline);
std::string ToCsv(const std::vector<OpResult>& results);

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The small read/write/metadata benchmark (seed 002's workload), run by
// `benchfs bench small` against one or more servers through FsClient:
//
//   create  META_CREATE of /bench/<client>/m<i>
//   stat    META_STAT of the created paths
//   delete  META_DELETE of each created path once
//   write   WRITE_CHUNK of <size> bytes to /bench/<client>/s<size>/f<i mod files>
//           (every file is first written once, unmeasured: creating a chunk
//           file is a different cost from writing into one)
//   read    READ_CHUNK of what write wrote (verified byte for byte with --verify)
//   mixed   writes and reads of <size> alternating, half each, on the same files
//   ping    PING with a <size>-byte echo
//
// Each operation runs under the same load shape (closed loop at qd, or open
// loop at rate) and gets its own latency histogram.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "measure/load.h"
#include "measure/report.h"
#include "service/fs_client.h"

namespace benchfs {

struct SmallBenchConfig {
  std::vector<std::string> ops = {"create", "stat", "delete", "write", "read"};
  std::vector<uint64_t> sizes = {1024, 4096, 16384};
  LoadSpec load;           // qd / rate / iterations or duration / warm-up
  uint32_t files = 1024;   // distinct files written per size (then overwritten)
  bool verify = false;     // compare every read with what was written
  std::string client_id;   // path component that keeps clients apart
  bool progress = false;   // one-line progress on stderr
  // When set, called right before each measured row: that row's floor block
  // (service/floor_probe.h), whose value becomes the row's floor_us
  // (nothing if it failed).
  std::function<std::optional<double>(const std::string& op, uint64_t size)> floor_block;
  // Trace every call of the file-system rows (measure/breakdown.h);
  // `same_clock`: client and servers share one steady clock (same host).
  bool breakdown = false;
  bool same_clock = true;
};

// Where a run of `c` keeps its files: "/bench/<client_id>/" (everything it
// writes is below it, so removing the prefix removes the run).
std::string BenchRoot(const SmallBenchConfig& c);

// Checks op names and sizes; errors name the bad one.
Status ValidateSmallBench(const SmallBenchConfig& c);

// From a fiber of `ex`: runs every op (metadata once, data per size) and
// returns one result per (op, size).
std::vector<OpResult> RunSmallBench(Executor& ex, FsClient& client, const SmallBenchConfig& config);

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// What `benchfs` does for each of its commands, given parsed options: connect
// to the servers, optionally measure the floors, run the benchmark or the
// one-off operation, print and write the results. Each returns OK or an error
// whose message is one line for the user; the program prints it and picks the
// exit code. The code of an error is kInvalidArgument for bad arguments (some
// found only once the servers answer, e.g. a size beyond their chunk size) and
// another code for a setup or call failure.
#pragma once

#include <string>
#include <vector>

#include "service/client_options.h"
#include "service/small_bench.h"

namespace benchfs {

struct OutputOptions {
  std::string json_path;
  std::string csv_path;
  bool baseline = false;
  uint64_t baseline_iterations = 2000;  // operations per floor block and component
  // Interleaved rounds (floor block, op block per row); 0 = 3 with
  // --baseline, else 1.
  uint32_t repeat = 0;
  // Start the measured run at this wall-clock time (seconds since the epoch;
  // 0 = at once), so several clients on several hosts run in lock-step.
  double start_at = 0;
  // Keep the files the benchmark wrote (default: removed when it ends).
  bool keep = false;
  // Draw the breakdown as stacked bars here (PNG; needs python3-matplotlib).
  std::string plot_path;
};

// The value: whether the benchmark recorded failed operations.
Result<bool> RunBenchSmall(const ClientOptions& client, const SmallBenchConfig& bench, const OutputOptions& out);
// The same, returning the JSON document instead of writing files (for
// launchers that gather results themselves); prints the table unless quiet.
Result<std::string> BenchSmallJson(const ClientOptions& client, const SmallBenchConfig& bench,
                                   const OutputOptions& out, bool quiet);
// Prints every server's counters; with json_path also writes them as
// {"servers":[{"server":..., "counters":{name: value}}]}. The value: how
// many servers did not answer (each is reported in its row of the output).
Result<uint32_t> RunStatus(const ClientOptions& client, const std::string& json_path = "");
// Asks every server to shut down; the value: how many refused or did not
// answer (each is reported in its line of the output).
Result<uint32_t> RunShutdown(const ClientOptions& client);
// put: writes `size` bytes (a pattern, or the contents of `from_file`) to
// `path` chunk by chunk - one chunk in memory at a time - and records the
// size in its metadata. A put that fails removes the file it created.
Status RunPut(const ClientOptions& client, const std::string& path, uint64_t size, const std::string& from_file);
// get: reads `path` (its metadata size) and writes it to `to_file` or prints a checksum.
Status RunGet(const ClientOptions& client, const std::string& path, const std::string& to_file);
Status RunStat(const ClientOptions& client, const std::string& path);
// compare: the first result file against each of the others (measure/compare.h).
Status RunCompare(const std::vector<std::string>& files);
// rm: a file's metadata and its chunks on every server.
Status RunRemove(const ClientOptions& client, const std::string& path);
// rm --prefix (and gc): every file below `prefix`, metadata and chunks, on every server.
Status RunRemovePrefix(const ClientOptions& client, const std::string& prefix);

}  // namespace benchfs

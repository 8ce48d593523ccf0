// SPDX-License-Identifier: BSD-3-Clause
// PerfLog: the diagnosis of seed 000 built into the daemon. Once a second it
// appends one CSV row - elapsed seconds, threads (and how many of them are
// io_uring's bounded kernel workers), RSS and VMS in MiB, requests
// completed (total and per opcode), in flight, rejected BUSY, malformed, and
// the executor's ticks, parks and io depth, and (with SetUsage) the chunk
// files and bytes the store holds - so a leak of threads or memory,
// or a stall, is visible at a glance and plottable. Rows are written through
// io_uring from a fiber; nothing blocks the loop.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "rpc/server.h"
#include "runtime/event.h"
#include "runtime/executor.h"
#include "storage/chunk_backend.h"

namespace benchfs {

class PerfLog {
 public:
  // Creates (truncates) the CSV and writes its header row. With `usage`, two
  // more columns, chunk_files and stored_mib: a scan of the store, so taken
  // every tenth row and repeated in between.
  static Result<std::unique_ptr<PerfLog>> Open(Executor& ex, const std::string& path, const RpcServer& server,
                                               Duration interval = std::chrono::seconds(1),
                                               std::function<StoreUsage()> usage = {});
  ~PerfLog();

  // Spawns the fiber that appends a row every interval.
  void Start();
  // From a fiber: writes a last row and stops.
  void Stop();
  static std::string Header(bool usage = false);

 private:
  PerfLog(Executor& ex, const RpcServer& server, Duration interval, int fd);
  std::string Row() const;
  void Append(const std::string& text);

  Executor& ex_;
  const RpcServer& server_;
  Duration interval_;
  int fd_;
  uint64_t offset_ = 0;
  TimePoint start_;
  Event stop_;
  FiberHandle fiber_;
  std::function<StoreUsage()> usage_;
  mutable StoreUsage last_usage_;
  mutable uint64_t rows_ = 0;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// FloorProbe: the floor blocks of `bench small --baseline`. Before each
// measured row the benchmark asks it for that row's floor, measured then and
// there against the first server, shaped like the row:
//   create, delete  bare UCX round trip 0/0 + the server's metadata log append (log on)
//   stat            bare UCX round trip 0/0
//   write SIZE      bare UCX round trip SIZE/0 + the server's bare write of SIZE
//   read SIZE       bare UCX round trip 0/SIZE + the server's bare read of SIZE
//   mixed SIZE      the mean of the write and read floors
//   ping SIZE       bare UCX round trip SIZE/SIZE
// The UCX round trip is a UCP context of the probe's own that busy-polls
// (floor/network_floor.h); the storage parts come from the server itself
// (FLOOR, floor/storage_floor.h), on its disk with its ring set-up. Every block
// is kept, so the run can report each floor's median and spread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "measure/report.h"
#include "floor/network_floor.h"
#include "service/fs_client.h"

namespace benchfs {

class FloorProbe {
 public:
  // Outside any event loop (connecting busy-waits): connects the bare UCX
  // client to `server` (worker address, or host:port through its bootstrap).
  static Result<std::unique_ptr<FloorProbe>> Connect(const std::string& tls, const ServerRef& server,
                                                     std::vector<std::byte> worker_address, Duration timeout,
                                                     uint64_t count, uint32_t files);

  // From the benchmark's fiber: one floor block for a row; its floor in µs.
  Result<double> Block(FsClient& client, const std::string& op, uint64_t size);

  // One block of every server's own storage floors (data of `sizes`, log
  // append), kept for Summary().
  Status ServerBlocks(FsClient& client, const std::vector<uint64_t>& sizes);

  // The medians over every block measured so far.
  Baseline Summary() const;

 private:
  FloorProbe() = default;
  Result<double> Rtt(size_t send, size_t reply);

  RawPingClient raw_;
  uint64_t count_ = 2000;
  uint32_t files_ = 64;  // the benchmark's --files: the storage floor overwrites as many
  // Every block's p50 in µs, per component.
  std::map<std::pair<size_t, size_t>, std::vector<double>> rtt_;  // (send, reply) -> p50s
  std::map<uint64_t, std::vector<double>> write_, read_;
  std::vector<double> append_;
  std::vector<ServerFloors> servers_;
};

}  // namespace benchfs

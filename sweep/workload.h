// SPDX-License-Identifier: BSD-3-Clause
// The workloads a timeout sweep measures, and what each one exercises:
//
//   storage-write, storage-read   4 KiB ChunkStore I/O on one executor (no network)
//   rpc-ping                      PING round trips between two executors (no storage)
//   e2e-write, e2e-read           WRITE_CHUNK / READ_CHUNK of 4 KiB against a benchfsd
//   e2e-create                    META_CREATE against a benchfsd (its metadata log on)
//
// `gated_io_ops` is how many io_uring operations one operation waits for, one
// after the other, once its files are open: in `gated` mode each of them
// passes both gates, so the operation cannot finish before
// gated_io_ops x (submit_timeout + complete_timeout). The client side of an
// RPC never touches io_uring (UCX is progressed every tick), so a ping has 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/status.h"

namespace benchfs {

enum class Workload : unsigned char {
  kStorageWrite,
  kStorageRead,
  kRpcPing,
  kE2eWrite,
  kE2eRead,
  kE2eCreate,
};

enum class WorkloadKind : unsigned char { kStorage, kRpc, kEndToEnd };

struct WorkloadInfo {
  Workload workload;
  std::string_view name;  // "storage-write", ...
  std::string_view op;    // "write", "read", "ping", "create"
  WorkloadKind kind;
  uint32_t gated_io_ops;
};

const WorkloadInfo& Info(Workload w);
std::string_view WorkloadName(Workload w);
// Every workload, in the order reports list them.
const std::vector<Workload>& AllWorkloads();
// "storage-write" -> kStorageWrite; errors list the names allowed.
Result<Workload> ParseWorkload(std::string_view text);

}  // namespace benchfs

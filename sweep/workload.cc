// SPDX-License-Identifier: BSD-3-Clause
// The workload table.
#include "sweep/workload.h"

#include <array>

namespace benchfs {
namespace {

constexpr std::array<WorkloadInfo, 6> kTable = {{
    {Workload::kStorageWrite, "storage-write", "write", WorkloadKind::kStorage, 1},
    {Workload::kStorageRead, "storage-read", "read", WorkloadKind::kStorage, 1},
    {Workload::kRpcPing, "rpc-ping", "ping", WorkloadKind::kRpc, 0},
    {Workload::kE2eWrite, "e2e-write", "write", WorkloadKind::kEndToEnd, 1},
    {Workload::kE2eRead, "e2e-read", "read", WorkloadKind::kEndToEnd, 1},
    {Workload::kE2eCreate, "e2e-create", "create", WorkloadKind::kEndToEnd, 1},
}};

}  // namespace

const WorkloadInfo& Info(Workload w) { return kTable[static_cast<size_t>(w)]; }

std::string_view WorkloadName(Workload w) { return Info(w).name; }

const std::vector<Workload>& AllWorkloads() {
  static const std::vector<Workload> all = [] {
    std::vector<Workload> v;
    for (const WorkloadInfo& i : kTable) v.push_back(i.workload);
    return v;
  }();
  return all;
}

Result<Workload> ParseWorkload(std::string_view text) {
  std::string allowed;
  for (const WorkloadInfo& i : kTable) {
    if (text == i.name) return i.workload;
    allowed += (allowed.empty() ? "" : ", ") + std::string(i.name);
  }
  return Status::InvalidArgument("workload '" + std::string(text) + "' is unknown: use " + allowed);
}

}  // namespace benchfs

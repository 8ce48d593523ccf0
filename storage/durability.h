// SPDX-License-Identifier: BSD-3-Clause
// DurabilityPolicy: when written bytes (chunks and metadata records) must be on
// stable storage relative to the acknowledgement the caller gets. The user
// picks one; every result BenchFS prints reports it, because durability has a
// price that must never be hidden or silently dropped.
//
//   none   acknowledged once the bytes are in the kernel (page cache); nothing
//          is ever synced, not even on an explicit Fsync. Survives the death
//          of the process, not of the machine.
//   fsync  acknowledged only after the bytes are durable: each chunk write is
//          a write SQE linked to an fdatasync SQE; new files also sync their
//          directory; each metadata log batch is fdatasynced.
//   close  acknowledged like `none`; durable after an explicit Fsync(path) or
//          Close() (and when a dirty file leaves the open-file cache).
//   group  fdatasync batched at most every `group_interval`; a write is
//          acknowledged after the batch that covers it has been synced.
#pragma once

#include <string_view>

#include "runtime/status.h"

namespace benchfs {

enum class DurabilityPolicy : unsigned char { kNone, kFsync, kClose, kGroup };

std::string_view DurabilityPolicyName(DurabilityPolicy p);
// Accepts none, fsync, close, group; anything else is INVALID_ARGUMENT naming
// the allowed values.
Result<DurabilityPolicy> ParseDurabilityPolicy(std::string_view text);

}  // namespace benchfs

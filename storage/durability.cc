// SPDX-License-Identifier: BSD-3-Clause
// DurabilityPolicy names and parsing.
#include "storage/durability.h"

#include <string>

namespace benchfs {

std::string_view DurabilityPolicyName(DurabilityPolicy p) {
  switch (p) {
    case DurabilityPolicy::kNone: return "none";
    case DurabilityPolicy::kFsync: return "fsync";
    case DurabilityPolicy::kClose: return "close";
    case DurabilityPolicy::kGroup: return "group";
  }
  return "?";
}

Result<DurabilityPolicy> ParseDurabilityPolicy(std::string_view text) {
  if (text == "none") return DurabilityPolicy::kNone;
  if (text == "fsync") return DurabilityPolicy::kFsync;
  if (text == "close") return DurabilityPolicy::kClose;
  if (text == "group") return DurabilityPolicy::kGroup;
  return Status::InvalidArgument("durability '" + std::string(text) +
                                                  "' is unknown: use none, fsync, close or group");
}

}  // namespace benchfs

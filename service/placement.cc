// SPDX-License-Identifier: BSD-3-Clause
// Jump consistent hash, the file key and the chunk stripes.
#include "service/placement.h"

#include <xxhash.h>

#include <numeric>

namespace benchfs {

uint32_t JumpHash(uint64_t key, uint32_t buckets) {
  int64_t b = -1;
  int64_t j = 0;
  while (j < static_cast<int64_t>(buckets)) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<int64_t>(static_cast<double>(b + 1) *
                             (static_cast<double>(1LL << 31) / static_cast<double>((key >> 33) + 1)));
  }
  return static_cast<uint32_t>(b);
}

uint64_t FileKey(std::string_view path) { return XXH3_64bits(path.data(), path.size()); }

uint32_t Placement::MetadataOwner(std::string_view path) const { return JumpHash(FileKey(path), servers_); }

uint32_t Placement::ChunkOwner(std::string_view path, uint64_t index) const {
  return ChunkOwnerOfKey(FileKey(path), index);
}

uint32_t Placement::ChunkOwnerOfKey(uint64_t file_key, uint64_t index) const {
  const uint64_t home = JumpHash(file_key, servers_);
  return static_cast<uint32_t>((home + index % servers_) % servers_);
}

uint32_t Placement::IdStride(uint32_t servers) {
  if (servers <= 1) return 1;
  uint64_t s = static_cast<uint64_t>(static_cast<double>(servers) * 0.6180339887498949 + 0.5);
  for (;; ++s) {
    if (std::gcd(s, uint64_t{servers}) == 1) return static_cast<uint32_t>(s % servers);
  }
}

uint32_t Placement::ChunkOwnerOfId(uint64_t file_id, uint64_t index) const {
  const uint64_t home = ((file_id & kIdHomeMask) * id_stride_) % servers_;
  return static_cast<uint32_t>((home + index % servers_) % servers_);
}

}  // namespace benchfs

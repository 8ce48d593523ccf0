// Jump consistent hash and the keys placement feeds it.
#include "service/placement.h"

#include <xxhash.h>

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

uint32_t Placement::MetadataOwner(std::string_view path) const {
  return JumpHash(XXH3_64bits(path.data(), path.size()), servers_);
}

uint32_t Placement::ChunkOwner(std::string_view path, uint64_t index) const {
  // Seeding xxh3 with the index gives each chunk an independent key.
  return JumpHash(XXH3_64bits_withSeed(path.data(), path.size(), index * 0x9E3779B97F4A7C15ULL + 1),
                  servers_);
}

uint32_t Placement::ChunkOwnerOfKey(uint64_t file_key, uint64_t index) const {
  return static_cast<uint32_t>((JumpHash(file_key, servers_) + index) % servers_);
}

}  // namespace benchfs

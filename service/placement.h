// Placement over N servers: which server owns a file's metadata and which owns
// each of its chunks. Both use jump consistent hashing (Lamping & Veach) of a
// 64-bit xxh3 key, so load spreads evenly (within a few percent at 10 000
// keys) and changing N moves only ~1/N of the keys.
//   metadata owner(path)       = jump(xxh3(path), N)
//   chunk owner(path, index)   = jump(xxh3(path) mixed with index, N)
#pragma once

#include <cstdint>
#include <string_view>

namespace benchfs {

// Jump consistent hash: a bucket in [0, buckets) for `key`.
uint32_t JumpHash(uint64_t key, uint32_t buckets);

class Placement {
 public:
  explicit Placement(uint32_t servers) : servers_(servers == 0 ? 1 : servers) {}
  uint32_t servers() const { return servers_; }
  uint32_t MetadataOwner(std::string_view path) const;
  uint32_t ChunkOwner(std::string_view path, uint64_t index) const;
  // Chunks of a file named by a per-file key striped over the servers: chunk
  // `index` on (jump(file_key, N) + index) mod N.
  uint32_t ChunkOwnerOfKey(uint64_t file_key, uint64_t index) const;

 private:
  uint32_t servers_;
};

}  // namespace benchfs

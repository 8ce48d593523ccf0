// Placement over N servers: which server owns a file's metadata and which owns
// each of its chunks. Both start from jump consistent hashing (Lamping &
// Veach) of a 64-bit file key, so changing N moves only ~1/N of the files'
// metadata and of their first chunks.
//   metadata owner(path)               = jump(xxh3(path), N)
//   chunk owner(path, index)           = ChunkOwnerOfKey(xxh3(path), index)
//   ChunkOwnerOfKey(file_key, index)   = (jump(file_key, N) + index) mod N
// A file's chunks are striped over consecutive servers from its home server,
// so a file of k chunks puts at most ceil(k/N) on any one server and a file of
// N chunks or more loads every server evenly. Files with fewer chunks than
// servers, and metadata (one hash per path), are balls into bins: the busiest
// of N servers carries ~1 + 3.4 / sqrt(items per server) of the mean - 1.03
// for 10^6 keys over 100 servers, ~1.1 over 1 000. tests/service/placement_test.cc
// measures both; docs/scale.md has the figures and what would do better (a
// dense per-file id as the file key).
// Growing N moves a striped file's later chunks too (their offsets wrap
// modulo N): data written under one server count is read back under the same.
#pragma once

#include <cstdint>
#include <string_view>

namespace benchfs {

// Jump consistent hash: a bucket in [0, buckets) for `key`.
uint32_t JumpHash(uint64_t key, uint32_t buckets);

// The key placement uses for a file: xxh3 of its path.
uint64_t FileKey(std::string_view path);

class Placement {
 public:
  explicit Placement(uint32_t servers) : servers_(servers == 0 ? 1 : servers) {}
  uint32_t servers() const { return servers_; }
  uint32_t MetadataOwner(std::string_view path) const;
  // ChunkOwnerOfKey(FileKey(path), index).
  uint32_t ChunkOwner(std::string_view path, uint64_t index) const;
  // The owner of chunk `index` of the file whose key is `file_key`: striped
  // from the file's home server jump(file_key, N).
  uint32_t ChunkOwnerOfKey(uint64_t file_key, uint64_t index) const;

 private:
  uint32_t servers_;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Placement over N servers: which server owns a file's metadata and which owns
// each of its chunks.
//   metadata owner(path)               = jump(xxh3(path), N)
//   chunk owner(path, index)           = ChunkOwnerOfKey(xxh3(path), index)
//   ChunkOwnerOfKey(file_key, index)   = (jump(file_key, N) + index) mod N
//   ChunkOwnerOfId(file_id, index)     = ((file_id mod 2^24) x S + index) mod N
// with S the integer nearest 0.618 N coprime with N (IdStride).
// Metadata and path-keyed chunks (the raw calls bench small measures) use jump
// consistent hashing (Lamping & Veach) of a 64-bit key, so changing N moves
// only ~1/N of them. Namespace files' chunks are placed by their inode id:
// a metadata store hands out ids whose low 24 bits count up
// (storage/file_id_allocator.h), so the files one metadata server creates
// visit every server once per N files (S is coprime with N) - each server's
// files go round-robin over all - and, S being a golden-ratio step, the
// stripes of its consecutive multi-chunk files start far apart instead of
// piling up on neighbouring servers (with S = 1 they do: 1.26 busiest/mean
// for files of 1..64 chunks over 1 000 servers).
// Either way a file's chunks are striped over consecutive servers from its
// home server, so a file of k chunks puts at most ceil(k/N) on any one server
// and a file of N chunks or more loads every server evenly. Files with fewer
// chunks than servers placed by a hash, and metadata (one hash per path), are
// balls into bins: the busiest of N servers carries ~1 + 3.4 / sqrt(items per
// server) of the mean - 1.03 for 10^6 keys over 100 servers, ~1.1 over 1 000;
// namespace files placed by id stay within 1.05 at 1 000 servers.
// tests/service/placement_test.cc measures them; docs/scale.md has the figures.
// Growing N moves a striped file's later chunks too (their offsets wrap
// modulo N), and every id-placed home: data written under one server count is
// read back under the same.
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
  explicit Placement(uint32_t servers)
      : servers_(servers == 0 ? 1 : servers), id_stride_(IdStride(servers_)) {}
  uint32_t servers() const { return servers_; }
  uint32_t MetadataOwner(std::string_view path) const;
  // ChunkOwnerOfKey(FileKey(path), index).
  uint32_t ChunkOwner(std::string_view path, uint64_t index) const;
  // The owner of chunk `index` of the file whose key is `file_key`: striped
  // from the file's home server jump(file_key, N).
  uint32_t ChunkOwnerOfKey(uint64_t file_key, uint64_t index) const;
  // The owner of chunk `index` of the namespace file with inode id `file_id`:
  // striped from home server ((file_id mod 2^24) x id_stride()) mod N. The
  // consecutive ids of one metadata server (FileIdAllocator) visit every
  // server once per N ids.
  uint32_t ChunkOwnerOfId(uint64_t file_id, uint64_t index) const;
  uint32_t id_stride() const { return id_stride_; }
  // The integer nearest 0.618 x servers that is coprime with servers (1 for
  // one server), reduced modulo servers.
  static uint32_t IdStride(uint32_t servers);

  // The bits of an inode id ChunkOwnerOfId places by (FileIdAllocator's counter).
  static constexpr uint64_t kIdHomeMask = 0xFFFFFF;

 private:
  uint32_t servers_;
  uint32_t id_stride_;
};

}  // namespace benchfs

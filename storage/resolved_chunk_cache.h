// SPDX-License-Identifier: BSD-3-Clause
// ResolvedChunkCache: the chunk store's bounded LRU of chunks it has already
// resolved - path validated, file id computed, owner verified and, on disk,
// the chunk file open - so that an operation on a hot chunk is one lookup
// and one I/O. Keyed by (file id, index); an entry also keeps the path it was
// resolved for, and a lookup with another path (an id collision) misses, so
// the store's slow path reports the collision.
//
// The table is a power-of-two array of buckets over a fixed node pool (no
// modulo by a prime, no allocation after construction except the paths).
// Entries leave at the bound (least recently used first), when the store
// removes the file, when the backend drops the handle, and on Clear().
// Not thread-safe: it belongs to one store on one executor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/chunk_backend.h"

namespace benchfs {

class ResolvedChunkCache {
 public:
  // Holds at most `capacity` entries; 0 disables the cache (Find always misses).
  explicit ResolvedChunkCache(uint32_t capacity);

  struct Entry {
    ChunkId id;
    std::string path;
    // The backend's handle; null when the backend keeps none (memory).
    ResolvedChunkPtr chunk;
  };

  // The entry for chunk `id` resolved for `path`, made most recently used;
  // null on a miss.
  Entry* Find(ChunkId id, const std::string& path) {
    if (capacity_ == 0) return nullptr;
    for (uint32_t n = buckets_[Bucket(id)]; n != kNil; n = nodes_[n].chain) {
      Node& node = nodes_[n];
      if (node.entry.id == id) {
        if (node.entry.path != path) break;
        Touch(n);
        ++hits_;
        return &node.entry;
      }
    }
    ++misses_;
    return nullptr;
  }
  // Adds (or replaces) the entry for `id`, evicting the least recently used
  // one at the bound.
  void Insert(ChunkId id, const std::string& path, ResolvedChunkPtr chunk);
  // Forgets chunk `id` / every chunk of `file_id` / everything.
  void Erase(ChunkId id);
  void EraseFile(uint64_t file_id);
  void Clear();

  uint32_t size() const { return size_; }
  uint32_t capacity() const { return capacity_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t evictions() const { return evictions_; }

 private:
  static constexpr uint32_t kNil = UINT32_MAX;
  struct Node {
    Entry entry;
    uint32_t chain = kNil;  // next node in the same bucket
    uint32_t prev = kNil;   // LRU neighbours: prev is more recently used
    uint32_t next = kNil;
    bool used = false;
  };

  uint32_t Bucket(ChunkId id) const { return static_cast<uint32_t>(ChunkIdHash()(id) >> 17) & mask_; }
  void Touch(uint32_t n) {
    if (head_ == n) return;
    Unlink(n);
    PushFront(n);
  }
  void Unlink(uint32_t n);
  void PushFront(uint32_t n);
  void Remove(uint32_t n);

  const uint32_t capacity_;
  uint32_t mask_ = 0;
  std::vector<uint32_t> buckets_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> free_;
  uint32_t head_ = kNil;  // most recently used
  uint32_t tail_ = kNil;  // least recently used
  uint32_t size_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace benchfs

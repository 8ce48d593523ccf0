// SPDX-License-Identifier: BSD-3-Clause
// ResolvedChunkCache: buckets, LRU list and node pool.
#include "storage/resolved_chunk_cache.h"

namespace benchfs {

ResolvedChunkCache::ResolvedChunkCache(uint32_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) return;
  uint32_t b = 1;
  while (b < capacity_ * 2) b <<= 1;  // load factor <= 1/2
  mask_ = b - 1;
  buckets_.assign(b, kNil);
  nodes_.resize(capacity_);
  free_.reserve(capacity_);
  for (uint32_t i = capacity_; i > 0; --i) free_.push_back(i - 1);
}

void ResolvedChunkCache::Unlink(uint32_t n) {
  Node& node = nodes_[n];
  if (node.prev != kNil) nodes_[node.prev].next = node.next; else head_ = node.next;
  if (node.next != kNil) nodes_[node.next].prev = node.prev; else tail_ = node.prev;
  node.prev = node.next = kNil;
}

void ResolvedChunkCache::PushFront(uint32_t n) {
  Node& node = nodes_[n];
  node.prev = kNil;
  node.next = head_;
  if (head_ != kNil) nodes_[head_].prev = n;
  head_ = n;
  if (tail_ == kNil) tail_ = n;
}

void ResolvedChunkCache::Remove(uint32_t n) {
  Node& node = nodes_[n];
  for (uint32_t* link = &buckets_[Bucket(node.entry.id)]; *link != kNil; link = &nodes_[*link].chain) {
    if (*link == n) {
      *link = node.chain;
      break;
    }
  }
  Unlink(n);
  node.chain = kNil;
  node.used = false;
  node.entry.chunk.reset();
  node.entry.path.clear();
  free_.push_back(n);
  --size_;
}

void ResolvedChunkCache::Insert(ChunkId id, const std::string& path, ResolvedChunkPtr chunk) {
  if (capacity_ == 0) return;
  Erase(id);
  if (free_.empty()) {
    Remove(tail_);
    ++evictions_;
  }
  const uint32_t n = free_.back();
  free_.pop_back();
  Node& node = nodes_[n];
  node.entry.id = id;
  node.entry.path = path;
  node.entry.chunk = std::move(chunk);
  node.used = true;
  uint32_t& bucket = buckets_[Bucket(id)];
  node.chain = bucket;
  bucket = n;
  PushFront(n);
  ++size_;
}

void ResolvedChunkCache::Erase(ChunkId id) {
  if (capacity_ == 0) return;
  for (uint32_t n = buckets_[Bucket(id)]; n != kNil; n = nodes_[n].chain) {
    if (nodes_[n].entry.id == id) {
      Remove(n);
      return;
    }
  }
}

void ResolvedChunkCache::EraseFile(uint64_t file_id) {
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    if (nodes_[n].used && nodes_[n].entry.id.file_id == file_id) Remove(n);
  }
}

void ResolvedChunkCache::Clear() {
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    if (nodes_[n].used) Remove(n);
  }
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// IdIndex: an open-addressing hash table (linear probing, tombstones) from a
// 64-bit id to a 32-bit slot number. Ids are already uniform hashes (xxh3), so
// the low bits pick the bucket. A bucket is 8 bytes - the id's low 32 bits and
// the slot - in one flat array, so a million entries take 16 MiB and a lookup
// costs one cache miss at most, where a node-based map costs several (the
// metadata store's create path lives on it). Because only the low half of the
// id is kept, every method takes `is_id(slot, id)`, which checks the full id
// of a candidate slot in the caller's own records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace benchfs {

class IdIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  // The largest slot number a caller may store.
  static constexpr uint32_t kMaxSlot = UINT32_MAX - 2;

  IdIndex() { Rehash(16); }

  // The slot stored for `id`, or kNone.
  template <typename IsId>
  uint32_t Find(uint64_t id, const IsId& is_id) const {
    const uint32_t lo = static_cast<uint32_t>(id);
    for (size_t i = lo & mask_;; i = (i + 1) & mask_) {
      const Bucket& b = buckets_[i];
      if (b.slot == kEmpty) return kNone;
      if (b.slot != kTombstone && b.lo == lo && is_id(b.slot, id)) return b.slot;
    }
  }

  // Inserts id -> slot unless `id` is present; returns the stored slot and
  // whether it was inserted.
  template <typename IsId>
  std::pair<uint32_t, bool> Insert(uint64_t id, uint32_t slot, const IsId& is_id) {
    if ((used_ + 1) * 4 > buckets_.size() * 3) {
      // Grow when mostly live; otherwise only sweep the tombstones out.
      Rehash(size_ * 2 >= buckets_.size() / 2 ? buckets_.size() * 2 : buckets_.size());
    }
    const uint32_t lo = static_cast<uint32_t>(id);
    size_t tomb = SIZE_MAX;
    for (size_t i = lo & mask_;; i = (i + 1) & mask_) {
      Bucket& b = buckets_[i];
      if (b.slot == kEmpty) {
        if (tomb == SIZE_MAX) ++used_;
        buckets_[tomb != SIZE_MAX ? tomb : i] = Bucket{lo, slot};
        ++size_;
        return {slot, true};
      }
      if (b.slot == kTombstone) {
        if (tomb == SIZE_MAX) tomb = i;
      } else if (b.lo == lo && is_id(b.slot, id)) {
        return {b.slot, false};
      }
    }
  }

  template <typename IsId>
  bool Erase(uint64_t id, const IsId& is_id) {
    const uint32_t lo = static_cast<uint32_t>(id);
    for (size_t i = lo & mask_;; i = (i + 1) & mask_) {
      Bucket& b = buckets_[i];
      if (b.slot == kEmpty) return false;
      if (b.slot != kTombstone && b.lo == lo && is_id(b.slot, id)) {
        b.slot = kTombstone;
        --size_;
        return true;
      }
    }
  }

  // Starts loading the bucket `id` hashes to, so the probe that follows (after
  // other work) does not stall on a cache miss.
  void Prefetch(uint64_t id) const { __builtin_prefetch(&buckets_[static_cast<uint32_t>(id) & mask_]); }

  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static constexpr uint32_t kTombstone = UINT32_MAX - 1;
  struct Bucket {
    uint32_t lo = 0;
    uint32_t slot = kEmpty;
  };

  // Capacity stays <= 2^32, so the low 32 bits are enough to place a bucket.
  void Rehash(size_t capacity) {
    std::vector<Bucket> old;
    old.swap(buckets_);
    buckets_.assign(capacity, Bucket{});
    mask_ = capacity - 1;
    size_ = used_ = 0;
    for (const Bucket& b : old) {  // doubling keeps the order: near-sequential writes
      if (b.slot == kEmpty || b.slot == kTombstone) continue;
      size_t i = b.lo & mask_;
      while (buckets_[i].slot != kEmpty) i = (i + 1) & mask_;
      buckets_[i] = b;
      ++size_;
      ++used_;
    }
  }

  std::vector<Bucket> buckets_;
  size_t mask_ = 0;
  size_t size_ = 0;  // live entries
  size_t used_ = 0;  // live entries + tombstones
};

}  // namespace benchfs

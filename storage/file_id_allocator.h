// SPDX-License-Identifier: BSD-3-Clause
// FileIdAllocator: the inode ids one metadata store hands out to the files it
// creates. An id is (salt << low_bits) | low, where salt is random (40 bits
// by default, drawn with getrandom) and low = (random start + n) mod
// 2^low_bits for the n-th id drawn under that salt; after 2^low_bits ids a
// new salt is drawn. 0 is never returned.
//
// Why: placement puts chunk i of the file with id X on server
// ((X mod 2^24) + i) mod N (Placement::ChunkOwnerOfId), so the files one
// store creates get consecutive home servers - round-robin over all servers
// instead of balls into bins.
//
// Uniqueness: one allocator never repeats an id under one salt (the low bits
// run through all 2^low_bits values once). Two allocators (servers, or one
// server before and after a restart) share a salt with probability 2^-40 per
// pair and salt draw; docs/namespace.md has the odds.
#pragma once

#include <cstdint>
#include <functional>

namespace benchfs {

class FileIdAllocator {
 public:
  static constexpr int kLowBits = 24;

  // Salts and starts from getrandom.
  FileIdAllocator();
  // Salts and starts from `random` (tests: a seeded generator), with a
  // counter of `low_bits` bits (1..32; the salt takes the other 64 - low_bits).
  FileIdAllocator(std::function<uint64_t()> random, int low_bits);

  uint64_t Next();

  int low_bits() const { return low_bits_; }
  uint64_t salt() const { return salt_; }

 private:
  void Reseed();

  std::function<uint64_t()> random_;
  int low_bits_;
  uint64_t salt_ = 0;
  uint64_t start_ = 0;
  uint64_t issued_ = 0;  // under salt_
};

// 64 random bits from getrandom (the clock and pid if it fails).
uint64_t RandomU64();

}  // namespace benchfs

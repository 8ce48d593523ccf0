// SPDX-License-Identifier: BSD-3-Clause
// FileIdAllocator: consecutive low bits from a random start, a new salt after
// 2^low_bits ids, distinct ids across salts, never 0.
#include <cstdint>
#include <random>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "storage/file_id_allocator.h"

namespace benchfs {
namespace {

TEST(FileIdAllocator, ConsecutiveLowBitsUnderOneSalt) {
  FileIdAllocator a;
  const uint64_t mask = (uint64_t{1} << FileIdAllocator::kLowBits) - 1;
  uint64_t prev = a.Next();
  for (int i = 0; i < 1000; ++i) {
    const uint64_t id = a.Next();
    EXPECT_EQ(id & mask, ((prev & mask) + 1) & mask);
    EXPECT_EQ(id >> FileIdAllocator::kLowBits, prev >> FileIdAllocator::kLowBits);
    prev = id;
  }
}

TEST(FileIdAllocator, EveryLowValueOnceThenANewSalt) {
  // Default width: 2^24 ids under one salt cover every low value once; the
  // next id carries a new salt.
  FileIdAllocator a;
  const uint64_t span = uint64_t{1} << FileIdAllocator::kLowBits;
  const uint64_t first = a.Next();
  const uint64_t salt = first >> FileIdAllocator::kLowBits;
  std::vector<bool> seen(span);
  seen[first & (span - 1)] = true;
  uint64_t repeats = 0, other_salt = 0;
  for (uint64_t i = 1; i < span; ++i) {
    const uint64_t id = a.Next();
    ASSERT_NE(id, 0u);
    if (id >> FileIdAllocator::kLowBits != salt) ++other_salt;
    if (seen[id & (span - 1)]) ++repeats;
    seen[id & (span - 1)] = true;
  }
  EXPECT_EQ(repeats, 0u);
  EXPECT_EQ(other_salt, 0u);
  const uint64_t next = a.Next();
  EXPECT_NE(next >> FileIdAllocator::kLowBits, salt);
  EXPECT_EQ(a.salt(), next >> FileIdAllocator::kLowBits);
}

TEST(FileIdAllocator, DistinctAcrossManySaltsWithANarrowCounter) {
  std::mt19937_64 rng(7);
  FileIdAllocator a([&] { return rng(); }, 4);
  std::unordered_set<uint64_t> ids;
  std::unordered_set<uint64_t> salts;
  for (int i = 0; i < 16 * 1000; ++i) {
    const uint64_t id = a.Next();
    ASSERT_NE(id, 0u);
    EXPECT_TRUE(ids.insert(id).second) << "id " << id << " repeated after " << i << " ids";
    salts.insert(id >> 4);
  }
  EXPECT_EQ(salts.size(), 1000u);  // exactly 16 ids per salt
}

TEST(FileIdAllocator, NeverZero) {
  // A zero salt and a zero start: the counter's first value would be id 0.
  std::vector<uint64_t> draws = {0, 0, uint64_t{5} << 60, 0};
  size_t next = 0;
  FileIdAllocator a([&] { return next < draws.size() ? draws[next++] : uint64_t{9} << 60; }, 2);
  EXPECT_EQ(a.Next(), 1u);  // 0 skipped
  EXPECT_EQ(a.Next(), 2u);
  EXPECT_EQ(a.Next(), 3u);
  EXPECT_EQ(a.Next(), uint64_t{5} << 60);  // new salt (the top 62 bits of the draw), start 0
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// ResolvedChunkCache on its own: hits need the same id and path, the bound
// evicts the least recently used entry, and entries leave by chunk, by file
// and all at once.
#include "storage/resolved_chunk_cache.h"

#include <gtest/gtest.h>

namespace benchfs {
namespace {

struct Tagged : ResolvedChunk {
  explicit Tagged(int t) : tag(t) {}
  int tag;
};

int TagOf(const ResolvedChunkCache::Entry* e) { return static_cast<const Tagged&>(*e->chunk).tag; }

ResolvedChunkPtr Tag(int t) { return ResolvedChunkPtr(new Tagged(t)); }

TEST(ResolvedChunkCache, HitNeedsTheSameIdAndPath) {
  ResolvedChunkCache c(4);
  c.Insert({7, 0}, "/a", Tag(1));
  const auto* e = c.Find({7, 0}, "/a");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(TagOf(e), 1);
  EXPECT_EQ(c.Find({7, 1}, "/a"), nullptr);  // another chunk
  EXPECT_EQ(c.Find({7, 0}, "/b"), nullptr);  // another path with the same id: a collision misses
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 2u);
}

TEST(ResolvedChunkCache, EvictsTheLeastRecentlyUsedAtTheBound) {
  ResolvedChunkCache c(3);
  for (uint64_t i = 0; i < 3; ++i) c.Insert({1, i}, "/f", Tag(static_cast<int>(i)));
  ASSERT_NE(c.Find({1, 0}, "/f"), nullptr);  // 0 becomes the most recent; 1 is now the oldest
  c.Insert({1, 3}, "/f", Tag(3));
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.evictions(), 1u);
  EXPECT_EQ(c.Find({1, 1}, "/f"), nullptr);
  EXPECT_NE(c.Find({1, 0}, "/f"), nullptr);
  EXPECT_NE(c.Find({1, 2}, "/f"), nullptr);
  EXPECT_NE(c.Find({1, 3}, "/f"), nullptr);
  // Many more than the bound: never more than 3, and the last three stay.
  for (uint64_t i = 10; i < 1000; ++i) c.Insert({i, i}, "/g", ResolvedChunkPtr());
  EXPECT_EQ(c.size(), 3u);
  for (uint64_t i = 997; i < 1000; ++i) EXPECT_NE(c.Find({i, i}, "/g"), nullptr) << i;
}

TEST(ResolvedChunkCache, ReplacingAnEntryKeepsOne) {
  ResolvedChunkCache c(2);
  c.Insert({1, 0}, "/f", Tag(1));
  c.Insert({1, 0}, "/f", Tag(2));
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(TagOf(c.Find({1, 0}, "/f")), 2);
}

TEST(ResolvedChunkCache, EraseByChunkFileAndAll) {
  ResolvedChunkCache c(16);
  ResolvedChunkPtr held = Tag(9);
  for (uint64_t i = 0; i < 4; ++i) c.Insert({1, i}, "/one", held);
  for (uint64_t i = 0; i < 4; ++i) c.Insert({2, i}, "/two", ResolvedChunkPtr());
  EXPECT_EQ(held->use_count(), 5u);
  c.Erase({1, 2});
  EXPECT_EQ(c.Find({1, 2}, "/one"), nullptr);
  EXPECT_EQ(c.size(), 7u);
  c.EraseFile(1);
  EXPECT_EQ(held->use_count(), 1u);  // the handles are let go
  for (uint64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(c.Find({1, i}, "/one"), nullptr);
    EXPECT_NE(c.Find({2, i}, "/two"), nullptr);
  }
  c.Clear();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Find({2, 0}, "/two"), nullptr);
  c.Insert({3, 0}, "/three", ResolvedChunkPtr());  // usable after Clear
  EXPECT_NE(c.Find({3, 0}, "/three"), nullptr);
}

TEST(ResolvedChunkCache, ZeroCapacityDisablesIt) {
  ResolvedChunkCache c(0);
  c.Insert({1, 0}, "/f", ResolvedChunkPtr());
  EXPECT_EQ(c.Find({1, 0}, "/f"), nullptr);
  EXPECT_EQ(c.size(), 0u);
}

}  // namespace
}  // namespace benchfs

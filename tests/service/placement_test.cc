// Placement is a real consistent hash: 10 000 files spread within 20 % of the
// mean on every server count tried, chunks of one file spread too, and
// growing from N to N+1 servers moves about 1/(N+1) of the keys.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "service/placement.h"

namespace benchfs {
namespace {

TEST(Placement, BalancedOverServerCounts) {
  for (uint32_t n : {2u, 3u, 4u, 8u}) {
    Placement p(n);
    std::vector<int> meta(n), chunk(n);
    for (int i = 0; i < 10000; ++i) {
      const std::string path = "/bench/client0/file" + std::to_string(i);
      ++meta[p.MetadataOwner(path)];
      ++chunk[p.ChunkOwner(path, 0)];
    }
    const double mean = 10000.0 / n;
    EXPECT_LE(*std::max_element(meta.begin(), meta.end()), 1.2 * mean) << n << " servers";
    EXPECT_LE(*std::max_element(chunk.begin(), chunk.end()), 1.2 * mean) << n << " servers";
  }
}

TEST(Placement, ChunksOfOneFileSpread) {
  Placement p(4);
  std::vector<int> owners(4);
  for (uint64_t idx = 0; idx < 4000; ++idx) ++owners[p.ChunkOwner("/big", idx)];
  for (int c : owners) EXPECT_GT(c, 800);
}

TEST(Placement, GrowingMovesFewKeys) {
  Placement p4(4), p5(5);
  int moved = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string path = "/f" + std::to_string(i);
    if (p4.MetadataOwner(path) != p5.MetadataOwner(path)) ++moved;
  }
  EXPECT_NEAR(moved, 2000, 300);  // ~1/5 of the keys, not most of them
}

TEST(Placement, JumpHashRange) {
  for (uint64_t k = 0; k < 1000; ++k) {
    EXPECT_LT(JumpHash(k * 0x9E3779B97F4A7C15ULL, 7), 7u);
    EXPECT_EQ(JumpHash(k, 1), 0u);
  }
}

}  // namespace
}  // namespace benchfs

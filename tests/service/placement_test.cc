// SPDX-License-Identifier: BSD-3-Clause
// Placement is a real consistent hash: 10 000 files spread within 20 % of the
// mean on every small server count tried, chunks of one file spread too, and
// growing from N to N+1 servers moves about 1/(N+1) of the files. At scale
// (10^6 paths and chunks over 100 and 1 000 servers) it measures busiest/mean
// and holds each figure to the bound that applies to it:
//   - chunks striped from the file's home server: <= 1.05 wherever each
//     server holds enough files' stripes (100 servers; 1 000 servers with
//     files of up to 4 096 chunks) - the goal;
//   - what hashing one key per item cannot beat (balls into bins, ~1 + 3.4
//     sqrt(N/keys)): metadata of 10^6 paths and single-chunk files, <= 1.05
//     at 100 servers, only ~1.1 at 1 000, held to 1.15 there;
//   - namespace files, placed by the inode id their metadata server's
//     FileIdAllocator hands out (each server's files round-robin over all
//     servers): single-chunk files <= 1.05 at 100 and 1 000 servers; files of
//     1..64 chunks <= 1.05 at 100, <= 1.10 at 1 000 (their random sizes).
// docs/scale.md has the figures.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "service/placement.h"
#include "storage/file_id_allocator.h"

namespace benchfs {
namespace {

constexpr uint64_t kKeys = 1'000'000;

double BusiestOverMean(const std::vector<uint64_t>& load) {
  const double total = static_cast<double>(std::accumulate(load.begin(), load.end(), uint64_t{0}));
  return static_cast<double>(*std::max_element(load.begin(), load.end())) / (total / load.size());
}

std::string FilePath(uint64_t i) { return "/bench/client" + std::to_string(i % 1000) + "/f" + std::to_string(i); }

// Chunk load of 10^6 (path, index) pairs: files of 1..max_chunks chunks
// (uniform, fixed seed) until 10^6 chunks are placed.
double ChunkSkew(uint32_t servers, uint64_t max_chunks, uint64_t* files_out = nullptr) {
  Placement p(servers);
  std::vector<uint64_t> load(servers);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> chunks(1, max_chunks);
  uint64_t placed = 0, files = 0;
  for (; placed < kKeys; ++files) {
    const uint64_t n = std::min(chunks(rng), kKeys - placed);
    const std::string path = FilePath(files);
    for (uint64_t idx = 0; idx < n; ++idx) ++load[p.ChunkOwner(path, idx)];
    placed += n;
  }
  if (files_out) *files_out = files;
  return BusiestOverMean(load);
}

double MetadataSkew(uint32_t servers) {
  Placement p(servers);
  std::vector<uint64_t> load(servers);
  for (uint64_t i = 0; i < kKeys; ++i) ++load[p.MetadataOwner(FilePath(i))];
  return BusiestOverMean(load);
}

// Chunk load of namespace files "/d/f.<i>" of 1..max_chunks chunks (uniform,
// fixed seed) until 10^6 chunks are placed: each file's id comes from the
// FileIdAllocator of its metadata owner (one per server, seeded), its chunks
// go where ChunkOwnerOfId puts them.
double NamespaceChunkSkew(uint32_t servers, uint64_t max_chunks, uint64_t* files_out = nullptr) {
  Placement p(servers);
  std::mt19937_64 seeds(servers);
  std::vector<std::mt19937_64> rngs;
  std::vector<FileIdAllocator> ids;
  rngs.reserve(servers);
  ids.reserve(servers);
  for (uint32_t s = 0; s < servers; ++s) {
    rngs.emplace_back(seeds());
    std::mt19937_64* rng = &rngs.back();
    ids.emplace_back([rng] { return (*rng)(); }, FileIdAllocator::kLowBits);
  }
  std::vector<uint64_t> load(servers);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> chunks(1, max_chunks);
  uint64_t placed = 0, files = 0;
  for (; placed < kKeys; ++files) {
    const uint64_t n = std::min(chunks(rng), kKeys - placed);
    const uint64_t id = ids[p.MetadataOwner("/d/f." + std::to_string(files))].Next();
    for (uint64_t idx = 0; idx < n; ++idx) ++load[p.ChunkOwnerOfId(id, idx)];
    placed += n;
  }
  if (files_out) *files_out = files;
  return BusiestOverMean(load);
}

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
  for (int c : owners) EXPECT_EQ(c, 1000);  // striped: exactly even
}

TEST(Placement, ChunkOwnerIsTheStripeOfTheFileKey) {
  for (uint32_t n : {1u, 7u, 100u}) {
    Placement p(n);
    for (const std::string path : {"/a", "/bench/x/f1", "/deep/er/path"}) {
      const uint32_t home = p.ChunkOwnerOfKey(FileKey(path), 0);
      EXPECT_EQ(home, p.MetadataOwner(path)) << path;
      for (uint64_t idx = 0; idx < 3 * n; ++idx) {
        EXPECT_EQ(p.ChunkOwner(path, idx), p.ChunkOwnerOfKey(FileKey(path), idx));
        EXPECT_EQ(p.ChunkOwner(path, idx), (home + idx) % n) << path << " chunk " << idx;
      }
    }
    // Indices near 2^64 stay in range (no overflow of home + index).
    EXPECT_LT(p.ChunkOwnerOfKey(12345, ~uint64_t{0}), n);
  }
}

TEST(Placement, ChunkOwnerOfIdStripesFromTheIdsLowBits) {
  for (uint32_t n : {1u, 2u, 7u, 100u, 1000u, 1024u}) {
    Placement p(n);
    const uint64_t stride = p.id_stride();
    EXPECT_EQ(std::gcd(stride, uint64_t{n}), 1u) << n << " servers";
    for (uint64_t id : {uint64_t{1}, uint64_t{0xABCDEF1234567}, ~uint64_t{0}}) {
      const uint64_t home = ((id & 0xFFFFFF) * stride) % n;
      for (uint64_t idx = 0; idx < 3 * n; ++idx) EXPECT_EQ(p.ChunkOwnerOfId(id, idx), (home + idx) % n);
      EXPECT_LT(p.ChunkOwnerOfId(id, ~uint64_t{0}), n);
    }
    // Only the low 24 bits count, and N consecutive ids (wrapping at 2^24
    // included) have N distinct homes.
    EXPECT_EQ(p.ChunkOwnerOfId(0x7000123, 0), p.ChunkOwnerOfId(0x9000123, 0));
    for (uint64_t first : {uint64_t{0x5000000}, uint64_t{0x5FFFFFF} - n / 2}) {
      std::vector<int> homes(n);
      for (uint64_t k = 0; k < n; ++k) ++homes[p.ChunkOwnerOfId(first + k, 0)];
      if (first + n > 0x6000000) {
        // Past the wrap the low bits restart at 0: still a run of consecutive
        // counter values modulo 2^24, but 2^24 need not be a multiple of N.
        continue;
      }
      EXPECT_EQ(*std::min_element(homes.begin(), homes.end()), 1) << n << " servers";
    }
  }
}

TEST(Placement, GrowingMovesFewKeys) {
  Placement p4(4), p5(5);
  int moved = 0, moved_home = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string path = "/f" + std::to_string(i);
    if (p4.MetadataOwner(path) != p5.MetadataOwner(path)) ++moved;
    if (p4.ChunkOwner(path, 0) != p5.ChunkOwner(path, 0)) ++moved_home;
  }
  EXPECT_NEAR(moved, 2000, 300);  // ~1/5 of the keys, not most of them
  EXPECT_EQ(moved_home, moved);   // a file's first chunk lives with its metadata
}

TEST(Placement, JumpHashRange) {
  for (uint64_t k = 0; k < 1000; ++k) {
    EXPECT_LT(JumpHash(k * 0x9E3779B97F4A7C15ULL, 7), 7u);
    EXPECT_EQ(JumpHash(k, 1), 0u);
  }
}

TEST(Placement, SkewAtScaleOverAMillionKeys) {
  struct Row {
    uint32_t servers;
    const char* what;
    double skew;
    double bound;
  };
  std::vector<Row> rows;
  for (uint32_t n : {100u, 1000u}) {
    uint64_t files = 0;
    const double mix = ChunkSkew(n, 64, &files);
    const double single = ChunkSkew(n, 1);
    const double large = ChunkSkew(n, 4096);
    const double meta = MetadataSkew(n);
    std::printf("%u servers: chunks of %llu files of 1..64 chunks %.4f, 1..4096 chunks %.4f, single-chunk files "
                "%.4f; metadata of 10^6 paths %.4f\n",
                n, static_cast<unsigned long long>(files), mix, large, single, meta);
    if (n == 100) {
      rows.push_back({n, "chunks, files of 1..64 chunks", mix, 1.05});
      rows.push_back({n, "chunks, files of 1..4096 chunks", large, 1.05});
      rows.push_back({n, "chunks, single-chunk files", single, 1.05});
      rows.push_back({n, "metadata", meta, 1.05});
    } else {
      rows.push_back({n, "chunks, files of 1..4096 chunks", large, 1.05});
      // Hashing one key per file: balls into bins at ~1 000 per server.
      rows.push_back({n, "chunks, files of 1..64 chunks", mix, 1.15});
      rows.push_back({n, "chunks, single-chunk files", single, 1.15});
      rows.push_back({n, "metadata", meta, 1.15});
    }
  }
  for (const Row& r : rows) {
    EXPECT_LE(r.skew, r.bound) << r.servers << " servers, " << r.what;
    EXPECT_GE(r.skew, 1.0) << r.servers << " servers, " << r.what;
  }
}

TEST(Placement, NamespaceFilesSkewUnderFivePercent) {
  for (uint32_t n : {100u, 1000u}) {
    uint64_t files = 0;
    const double single = NamespaceChunkSkew(n, 1);
    const double mix = NamespaceChunkSkew(n, 64, &files);
    std::printf("%u servers, namespace files placed by id: single-chunk files (10^6) %.4f, %llu files of 1..64 "
                "chunks %.4f\n",
                n, single, static_cast<unsigned long long>(files), mix);
    EXPECT_LE(single, 1.05) << n << " servers, single-chunk namespace files";
    // At 1 000 servers ~31 files of random size start near each server, so
    // the sizes alone leave ~1.05 even with one global round-robin of homes
    // (docs/scale.md); held to 1.10 there, which piled-up stripes exceed.
    EXPECT_LE(mix, n == 100 ? 1.05 : 1.10) << n << " servers, namespace files of 1..64 chunks";
    EXPECT_GE(single, 1.0);
    EXPECT_GE(mix, 1.0);
  }
}

}  // namespace
}  // namespace benchfs

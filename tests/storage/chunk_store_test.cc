// SPDX-License-Identifier: BSD-3-Clause
// ChunkStore data integrity on every backend and durability policy: random
// data of 1 B, 1 KiB, 4 KiB and 16 KiB at unaligned and aligned offsets,
// writes ending exactly at a chunk boundary, overwrites, sparse reads, short
// reads at a chunk's end, missing chunks; compared by checksum with a model,
// then again after the store is closed and reopened. Also: O_DIRECT,
// registered buffers, group-commit batching, removal, argument errors and
// file-id collisions.
#include <map>

#include <gtest/gtest.h>

#include "storage/chunk_store.h"
#include "storage/disk_backend.h"
#include "tests/storage/storage_test_util.h"

namespace benchfs {
namespace {

using testing::BufferWith;
using testing::Checksum;
using testing::MakeExecutor;
using testing::RandomBytes;
using testing::TempDir;

constexpr uint64_t kChunk = 64 * 1024;

struct Config {
  ChunkBackendKind backend;
  DurabilityPolicy durability;
  bool direct_io = false;
};

std::string ConfigName(const Config& c) {
  std::string s = std::string(ChunkBackendName(c.backend)) + "_" + std::string(DurabilityPolicyName(c.durability));
  if (c.direct_io) s += "_direct";
  return s;
}

// What the store should hold: bytes per (path, index), zeros in holes.
class Model {
 public:
  void Write(const std::string& path, uint64_t index, uint64_t off, const std::vector<unsigned char>& d) {
    auto& v = chunks_[{path, index}];
    if (v.size() < off + d.size()) v.resize(off + d.size(), 0);
    std::copy(d.begin(), d.end(), v.begin() + static_cast<ptrdiff_t>(off));
  }
  // Expected bytes of a read, or nullopt for NOT_FOUND.
  std::optional<std::vector<unsigned char>> Read(const std::string& path, uint64_t index, uint64_t off,
                                                 size_t len) const {
    auto it = chunks_.find({path, index});
    if (it == chunks_.end()) return std::nullopt;
    const auto& v = it->second;
    if (off >= v.size()) return std::vector<unsigned char>{};
    const size_t n = std::min<size_t>(len, v.size() - off);
    return std::vector<unsigned char>(v.begin() + static_cast<ptrdiff_t>(off),
                                      v.begin() + static_cast<ptrdiff_t>(off + n));
  }
  const auto& chunks() const { return chunks_; }

 private:
  std::map<std::pair<std::string, uint64_t>, std::vector<unsigned char>> chunks_;
};

class ChunkIntegrity : public ::testing::TestWithParam<Config> {
 protected:
  void SetUp() override {
    ex_ = MakeExecutor();
    ASSERT_TRUE(ex_);
    ASSERT_FALSE(dir_.path().empty());
    opts_.backend = GetParam().backend;
    opts_.durability = GetParam().durability;
    opts_.direct_io = GetParam().direct_io;
    opts_.data_dir = dir_.path() + "/data";
    opts_.chunk_size = kChunk;
    opts_.group_interval = std::chrono::microseconds(200);
    opts_.max_open_files = 8;  // small: evictions happen
  }
  std::unique_ptr<ChunkStore> Open() {
    auto r = ChunkStore::Open(*ex_, opts_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r.value()) : nullptr;
  }
  void Write(ChunkStore& s, const std::string& path, uint64_t index, uint64_t off, size_t len, uint64_t seed,
             bool registered = false) {
    auto bytes = RandomBytes(seed, len);
    IoBuffer buf = registered ? s.AcquireBuffer(len) : BufferWith(bytes);
    if (registered) std::copy(bytes.begin(), bytes.end(), reinterpret_cast<unsigned char*>(buf.data()));
    Status st = s.Write(path, index, off, buf, len);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_FALSE(buf.empty());  // handed back
    model_.Write(path, index, off, bytes);
  }
  void Check(ChunkStore& s, const std::string& path, uint64_t index, uint64_t off, size_t len) {
    IoBuffer buf = IoBuffer::Allocate(len == 0 ? 1 : len);
    auto r = s.Read(path, index, off, buf, len);
    auto want = model_.Read(path, index, off, len);
    if (!want) {
      ASSERT_FALSE(r.ok()) << path << " chunk " << index << " should be missing";
      EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
      EXPECT_NE(r.status().message().find(path), std::string::npos);
      return;
    }
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(*r, want->size()) << path << " chunk " << index << " off " << off;
    EXPECT_EQ(Checksum(buf.data(), *r), Checksum(want->data(), want->size()))
        << path << " chunk " << index << " off " << off << " len " << len;
  }
  void CheckAll(ChunkStore& s) {
    for (const auto& [key, bytes] : model_.chunks()) {
      Check(s, key.first, key.second, 0, kChunk);
      Check(s, key.first, key.second, 1, 5000);
    }
  }

  TempDir dir_;
  ChunkStoreOptions opts_;
  std::unique_ptr<Executor> ex_;
  Model model_;
};

TEST_P(ChunkIntegrity, EdgeCasesMatchTheModel) {
  auto s = Open();
  ASSERT_TRUE(s);
  ex_->Run([&] {
    const size_t sizes[] = {1, 1024, 4096, 16384};
    uint64_t seed = 1;
    // Unaligned and aligned offsets, each size.
    for (size_t len : sizes) {
      Write(*s, "/edge/unaligned", 0, 4097 + len, len, seed++);
      Write(*s, "/edge/aligned", 0, 8192, len, seed++);
      Check(*s, "/edge/unaligned", 0, 4097 + len, len);
      Check(*s, "/edge/aligned", 0, 8192, len);
    }
    // Writes ending exactly at the chunk boundary, then the next chunk.
    for (size_t len : sizes) Write(*s, "/edge/boundary", 1, kChunk - len, len, seed++);
    Write(*s, "/edge/boundary", 2, 0, 4096, seed++);
    Check(*s, "/edge/boundary", 1, kChunk - 16384, 16384);
    Check(*s, "/edge/boundary", 1, kChunk - 1, 1);
    Check(*s, "/edge/boundary", 2, 0, 4096);
    // Overwrite, partly and wholly, with registered buffers.
    Write(*s, "/edge/over", 0, 0, 16384, seed++);
    Write(*s, "/edge/over", 0, 100, 1024, seed++, true);
    Write(*s, "/edge/over", 0, 0, 16384, seed++, true);
    Write(*s, "/edge/over", 0, 16000, 1, seed++);
    Check(*s, "/edge/over", 0, 0, 16384);
    // Sparse: a hole before the data reads as zeros; a short read at the end.
    Write(*s, "/edge/sparse", 3, 40000, 1024, seed++);
    Check(*s, "/edge/sparse", 3, 0, 16384);
    Check(*s, "/edge/sparse", 3, 39000, 16384);  // short: ends at 41024
    Check(*s, "/edge/sparse", 3, 50000, 4096);   // past the end: 0 bytes
    // Missing chunk of an existing file, and a file never written.
    Check(*s, "/edge/sparse", 0, 0, 4096);
    Check(*s, "/edge/never", 0, 0, 4096);
    // Randomised: many files and chunks (more than max_open_files).
    std::mt19937_64 rng(GTEST_FLAG_GET(random_seed) + 7);
    for (int i = 0; i < 200; ++i) {
      const size_t len = sizes[rng() % 4];
      const uint64_t off = rng() % (kChunk - len + 1);
      Write(*s, "/rand/f" + std::to_string(rng() % 5), rng() % 4, off, len, seed++, i % 2 == 0);
    }
    CheckAll(*s);
    ASSERT_TRUE(s->Fsync("/rand/f1").ok());
    ASSERT_TRUE(s->Close().ok());
    IoBuffer one = IoBuffer::Allocate(1);
    EXPECT_EQ(s->Write("/x", 0, 0, one, 1).code(), StatusCode::kUnavailable);
  });
  if (opts_.backend == ChunkBackendKind::kMemory) return;  // nothing outlives the process
  s.reset();
  auto again = Open();
  ASSERT_TRUE(again);
  ex_->Run([&] {
    CheckAll(*again);
    ASSERT_TRUE(again->Close().ok());
  });
}

TEST_P(ChunkIntegrity, RemoveDeletesEveryChunkAndTheOwner) {
  auto s = Open();
  ASSERT_TRUE(s);
  ex_->Run([&] {
    for (uint64_t i = 0; i < 12; ++i) Write(*s, "/rm/victim", i, 0, 4096, 100 + i);
    Write(*s, "/rm/keeper", 0, 0, 4096, 99);
    ASSERT_TRUE(s->Remove("/rm/victim").ok());
    IoBuffer buf = IoBuffer::Allocate(4096);
    for (uint64_t i = 0; i < 12; ++i) {
      EXPECT_EQ(s->Read("/rm/victim", i, 0, buf, 4096).status().code(), StatusCode::kNotFound);
    }
    EXPECT_EQ(s->Remove("/rm/victim").code(), StatusCode::kNotFound);
    Check(*s, "/rm/keeper", 0, 0, 4096);
    Write(*s, "/rm/victim", 5, 10, 100, 7);  // the name can be used again
    auto r = s->Read("/rm/victim", 5, 0, buf, 4096);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 110u);
    ASSERT_TRUE(s->Close().ok());
  });
  if (opts_.backend == ChunkBackendKind::kMemory) return;
  size_t files = 0;
  const std::string prefix = FileIdHex(Xxh3FileId("/rm/victim")) + ".";
  for (auto& e : std::filesystem::recursive_directory_iterator(opts_.data_dir)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) ++files;
  }
  EXPECT_EQ(files, 2u);  // chunk 5 and the owner record of the new incarnation
}

TEST_P(ChunkIntegrity, ArgumentErrorsAreClear) {
  auto s = Open();
  ASSERT_TRUE(s);
  ex_->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(8192);
    Status cross = s->Write("/a", 0, kChunk - 100, buf, 200);
    EXPECT_EQ(cross.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(cross.message().find("chunk_size"), std::string::npos);
    EXPECT_EQ(s->Write("/a", 0, 0, buf, 9000).code(), StatusCode::kInvalidArgument);  // > buffer
    Status bad = s->Write("a/b", 0, 0, buf, 10);
    EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(bad.message().find("absolute"), std::string::npos);
    EXPECT_EQ(s->Read("/a/../b", 0, 0, buf, 10).status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(s->Write("/a", 0, 0, buf, 0).ok());  // empty write: nothing to do
    EXPECT_EQ(s->Read("/a", 0, 0, buf, 10).status().code(), StatusCode::kNotFound);
    ASSERT_TRUE(s->Close().ok());
  });
}

// Two paths forced onto one id: the second is refused, naming both, and the
// refusal survives a reopen (the owner record is on disk).
TEST_P(ChunkIntegrity, FileIdCollisionIsRefused) {
  opts_.file_id = [](std::string_view) -> uint64_t { return 0xC0111DE; };
  auto s = Open();
  ASSERT_TRUE(s);
  auto expect_collision = [](const Status& st) {
    EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.ToString();
    EXPECT_NE(st.message().find("'/one'"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("'/two'"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("collision"), std::string::npos) << st.message();
  };
  ex_->Run([&] {
    Write(*s, "/one", 0, 0, 4096, 1);
    IoBuffer buf = BufferWith(RandomBytes(2, 4096));
    expect_collision(s->Write("/two", 0, 0, buf, 4096));
    expect_collision(s->Read("/two", 0, 0, buf, 4096).status());
    expect_collision(s->Remove("/two"));
    Check(*s, "/one", 0, 0, 4096);  // the owner's data is untouched
    ASSERT_TRUE(s->Close().ok());
  });
  if (opts_.backend == ChunkBackendKind::kMemory) return;
  s.reset();
  auto again = Open();
  ASSERT_TRUE(again);
  ex_->Run([&] {
    IoBuffer buf = BufferWith(RandomBytes(3, 4096));
    expect_collision(again->Write("/two", 1, 0, buf, 4096));
    Check(*again, "/one", 0, 0, 4096);
    ASSERT_TRUE(again->Close().ok());
  });
}

// Resolved chunks: a hot chunk is served from the cache; the cache never
// holds more than its bound nor (on disk) more than the open files; every
// read still matches the model.
TEST_P(ChunkIntegrity, HotChunksAreResolvedOnce) {
  opts_.resolved_chunks = 4;
  auto s = Open();
  ASSERT_TRUE(s);
  ex_->Run([&] {
    const ResolvedChunkCache& cache = s->resolved_chunks();
    Write(*s, "/hot/file", 0, 0, 4096, 1);
    const uint64_t hits = cache.hits();
    for (int i = 0; i < 10; ++i) Check(*s, "/hot/file", 0, 0, 4096);
    Write(*s, "/hot/file", 0, 100, 1000, 2);
    Check(*s, "/hot/file", 0, 0, 4096);
    EXPECT_EQ(cache.hits(), hits + 12);
    for (uint64_t i = 0; i < 20; ++i) {
      Write(*s, "/hot/many", i, 0, 4096, 10 + i);
      EXPECT_LE(cache.size(), 4u);
    }
    EXPECT_GT(cache.evictions(), 0u);
    for (uint64_t i = 0; i < 20; ++i) Check(*s, "/hot/many", i, 0, 4096);
    Check(*s, "/hot/file", 0, 0, 4096);
    ASSERT_TRUE(s->Close().ok());
    EXPECT_EQ(cache.size(), 0u);
  });
}

// A backend that closes a chunk's file (max_open_files = 8 here) drops the
// entry, so the cache never keeps a file open beyond the limit.
TEST_P(ChunkIntegrity, ResolvedChunksFollowTheOpenFiles) {
  auto s = Open();
  ASSERT_TRUE(s);
  ex_->Run([&] {
    for (uint64_t i = 0; i < 30; ++i) Write(*s, "/open/f", i, 0, 4096, 40 + i);
    if (auto* disk = dynamic_cast<DiskBackend*>(&s->backend())) {
      EXPECT_LE(disk->open_files(), opts_.max_open_files);
      EXPECT_LE(s->resolved_chunks().size(), opts_.max_open_files);
    }
    for (uint64_t i = 0; i < 30; ++i) Check(*s, "/open/f", i, 0, 4096);
    ASSERT_TRUE(s->Close().ok());
  });
}

// A read after Remove is NOT_FOUND even though the chunks were resolved (and
// their files open) just before.
TEST_P(ChunkIntegrity, ReadAfterRemoveIsNotFound) {
  auto s = Open();
  ASSERT_TRUE(s);
  ex_->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    for (uint64_t i = 0; i < 3; ++i) {
      Write(*s, "/gone/f", i, 0, 4096, 70 + i);
      Check(*s, "/gone/f", i, 0, 4096);
    }
    const uint64_t hits = s->resolved_chunks().hits();
    Check(*s, "/gone/f", 1, 0, 4096);
    ASSERT_GT(s->resolved_chunks().hits(), hits);  // it was served from the cache
    ASSERT_TRUE(s->Remove("/gone/f").ok());
    for (uint64_t i = 0; i < 3; ++i) {
      auto r = s->Read("/gone/f", i, 0, buf, 4096);
      EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << "chunk " << i;
      Status w = s->Fsync("/gone/f");
      EXPECT_TRUE(w.ok()) << w.ToString();
    }
    // A new incarnation starts empty: chunk 1 exists, chunk 0 does not.
    IoBuffer one = BufferWith(RandomBytes(99, 10));
    ASSERT_TRUE(s->Write("/gone/f", 1, 0, one, 10).ok());
    EXPECT_EQ(s->Read("/gone/f", 0, 0, buf, 4096).status().code(), StatusCode::kNotFound);
    auto r = s->Read("/gone/f", 1, 0, buf, 4096);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 10u);
    ASSERT_TRUE(s->Close().ok());
  });
}

// Two stores on the same data dir each resolve for themselves: one store's
// cache changes nothing the other sees.
TEST_P(ChunkIntegrity, AnotherStoreOnTheSameFilesIsUnaffected) {
  if (opts_.backend == ChunkBackendKind::kMemory) GTEST_SKIP() << "nothing shared in memory";
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  ex_->Run([&] {
    Write(*a, "/two/f", 0, 0, 4096, 1);
    Check(*a, "/two/f", 0, 0, 4096);  // resolved in a
    Check(*b, "/two/f", 0, 0, 4096);  // b reads what a wrote
    Write(*b, "/two/f", 0, 0, 4096, 2);
    Check(*a, "/two/f", 0, 0, 4096);  // a's open file is the same file: b's bytes
    IoBuffer buf = IoBuffer::Allocate(4096);
    EXPECT_EQ(a->Read("/two/f", 1, 0, buf, 4096).status().code(), StatusCode::kNotFound);
    ASSERT_TRUE(b->Remove("/two/f").ok());
    EXPECT_EQ(b->Read("/two/f", 0, 0, buf, 4096).status().code(), StatusCode::kNotFound);
    ASSERT_TRUE(a->Close().ok());
    ASSERT_TRUE(b->Close().ok());
  });
  auto c = Open();
  ASSERT_TRUE(c);
  ex_->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(4096);
    EXPECT_EQ(c->Read("/two/f", 0, 0, buf, 4096).status().code(), StatusCode::kNotFound);
    ASSERT_TRUE(c->Close().ok());
  });
}

INSTANTIATE_TEST_SUITE_P(
    Backends, ChunkIntegrity,
    ::testing::Values(Config{ChunkBackendKind::kUring, DurabilityPolicy::kNone},
                      Config{ChunkBackendKind::kUring, DurabilityPolicy::kFsync},
                      Config{ChunkBackendKind::kUring, DurabilityPolicy::kClose},
                      Config{ChunkBackendKind::kUring, DurabilityPolicy::kGroup},
                      Config{ChunkBackendKind::kUring, DurabilityPolicy::kNone, true},
                      Config{ChunkBackendKind::kUring, DurabilityPolicy::kFsync, true},
                      Config{ChunkBackendKind::kPosix, DurabilityPolicy::kNone},
                      Config{ChunkBackendKind::kPosix, DurabilityPolicy::kFsync},
                      Config{ChunkBackendKind::kPosix, DurabilityPolicy::kClose},
                      Config{ChunkBackendKind::kPosix, DurabilityPolicy::kGroup},
                      Config{ChunkBackendKind::kMemory, DurabilityPolicy::kNone}),
    [](const auto& info) { return ConfigName(info.param); });

TEST(ChunkStoreGroup, ConcurrentWritersShareBatches) {
  TempDir dir;
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ChunkStoreOptions o;
  o.data_dir = dir.path() + "/data";
  o.durability = DurabilityPolicy::kGroup;
  o.group_interval = std::chrono::milliseconds(2);
  auto s = ChunkStore::Open(*ex, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  constexpr int kWriters = 16, kEach = 4;
  ex->Run([&] {
    std::vector<FiberHandle> hs;
    for (int w = 0; w < kWriters; ++w) {
      hs.push_back(ex->Spawn([&, w] {
        for (int i = 0; i < kEach; ++i) {
          IoBuffer buf = BufferWith(RandomBytes(w * 100 + i, 4096));
          Status st = (*s)->Write("/g/f" + std::to_string(w % 4), i, w * 4096, buf, 4096);
          EXPECT_TRUE(st.ok()) << st.ToString();
        }
      }));
    }
    for (auto& h : hs) ex->Join(h);
    ASSERT_TRUE((*s)->Close().ok());
  });
  auto* disk = dynamic_cast<DiskBackend*>(&(*s)->backend());
  ASSERT_NE(disk, nullptr);
  EXPECT_GE(disk->group_batches(), 1u);
  EXPECT_LT(disk->group_batches(), static_cast<uint64_t>(kWriters * kEach));  // batched, not one per write
}

TEST(ChunkStoreUring, UsesFixedFilesAndRegisteredBuffers) {
  TempDir dir;
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  ChunkStoreOptions o;
  o.data_dir = dir.path() + "/data";
  o.registered_buffers = 4;
  auto s = ChunkStore::Open(*ex, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ex->Run([&] {
    ASSERT_NE((*s)->buffers(), nullptr);
    IoBuffer b = (*s)->AcquireBuffer(4096);
    EXPECT_GE(b.registered_index(), 0);
    ASSERT_TRUE((*s)->Write("/fx", 0, 0, b, 4096).ok());
    EXPECT_GE(b.registered_index(), 0);
    IoBuffer big = (*s)->AcquireBuffer(1 << 20);  // larger than a pool buffer: heap
    EXPECT_LT(big.registered_index(), 0);
    auto* disk = dynamic_cast<DiskBackend*>(&(*s)->backend());
    ASSERT_NE(disk, nullptr);
    EXPECT_GE(disk->fixed_files(), 1u);
    ASSERT_TRUE((*s)->Close().ok());
  });
}

}  // namespace
}  // namespace benchfs

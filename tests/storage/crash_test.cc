// SPDX-License-Identifier: BSD-3-Clause
// Crash: a child writes chunks and creates metadata records with durability
// `fsync` through io_uring and reports each acknowledgement on a pipe; the
// parent kills it with SIGKILL at a random point, reopens both stores and
// requires every acknowledged write and record to be present and intact.
// Then the log is truncated inside its last record (a torn tail): reopening
// keeps every record before it.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "storage/chunk_store.h"
#include "storage/metadata_store.h"
#include "tests/storage/storage_test_util.h"

namespace benchfs {
namespace {

using testing::Checksum;
using testing::MakeExecutor;
using testing::RandomBytes;
using testing::TempDir;

constexpr uint64_t kChunk = 64 * 1024;
const size_t kSizes[] = {1, 1024, 4096, 16384};

// Write number i: a unique chunk (file i % 4, index i / 4) so nothing is overwritten.
struct Op {
  std::string path;
  uint64_t index;
  uint64_t offset;
  size_t len;
  std::string meta;
};

Op OpFor(uint32_t i) {
  const size_t len = kSizes[i % 4];
  return Op{"/crash/f" + std::to_string(i % 4), i / 4, (i * 977ull) % (kChunk - len + 1), len,
            "/crash/meta/m" + std::to_string(i)};
}

ChunkStoreOptions ChunkOptions(const std::string& dir) {
  ChunkStoreOptions o;
  o.data_dir = dir + "/data";
  o.chunk_size = kChunk;
  o.durability = DurabilityPolicy::kFsync;
  return o;
}

MetadataStoreOptions MetaOptions(const std::string& dir) {
  MetadataStoreOptions o;
  o.log_path = dir + "/meta.log";
  o.durability = DurabilityPolicy::kFsync;
  return o;
}

[[noreturn]] void ChildWriter(const std::string& dir, int ack_fd) {
  auto ex = Executor::Create({});
  if (!ex.ok()) _exit(2);
  auto chunks = ChunkStore::Open(**ex, ChunkOptions(dir));
  auto meta = MetadataStore::Open(**ex, MetaOptions(dir));
  if (!chunks.ok() || !meta.ok()) _exit(3);
  (*ex)->Run([&] {
    for (uint32_t i = 0;; ++i) {
      const Op op = OpFor(i);
      auto bytes = RandomBytes(i, op.len);
      IoBuffer buf = testing::BufferWith(bytes);
      if (!(*chunks)->Write(op.path, op.index, op.offset, buf, op.len).ok()) _exit(4);
      if (!(*meta)->Create(op.meta, InodeType::kFile, i & 0777).ok()) _exit(5);
      if (::write(ack_fd, &i, sizeof(i)) != sizeof(i)) _exit(6);
    }
  });
  _exit(7);
}

TEST(Crash, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  std::random_device rd;
  const unsigned seed = rd();
  std::mt19937 rng(seed);
  const uint32_t kill_after = 20 + rng() % 300;
  std::printf("crash test: seed %u, SIGKILL after %u acknowledgements\n", seed, kill_after);

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(p[0]);
    ChildWriter(dir.path(), p[1]);
  }
  ::close(p[1]);
  uint32_t acked = 0;  // acknowledgements seen: writes 0..acked-1
  uint32_t v;
  while (acked < kill_after && ::read(p[0], &v, sizeof(v)) == sizeof(v)) {
    ASSERT_EQ(v, acked);
    ++acked;
  }
  ASSERT_EQ(acked, kill_after) << "the writer died on its own";
  // Let it get a little further into the next write, then kill it mid-flight.
  std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  while (::read(p[0], &v, sizeof(v)) == sizeof(v)) {  // acks already sent count too
    ASSERT_EQ(v, acked);
    ++acked;
  }
  ::close(p[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  auto chunks = ChunkStore::Open(*ex, ChunkOptions(dir.path()));
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  auto meta = MetadataStore::Open(*ex, MetaOptions(dir.path()));
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_GE((*meta)->recovery().records, acked);
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(16384);
    for (uint32_t i = 0; i < acked; ++i) {
      const Op op = OpFor(i);
      auto r = (*chunks)->Read(op.path, op.index, op.offset, buf, op.len);
      ASSERT_TRUE(r.ok()) << "write " << i << ": " << r.status().ToString();
      ASSERT_EQ(*r, op.len) << "write " << i;
      auto want = RandomBytes(i, op.len);
      ASSERT_EQ(Checksum(buf.data(), op.len), Checksum(want.data(), op.len)) << "write " << i;
      auto st = (*meta)->Stat(op.meta);
      ASSERT_TRUE(st.ok()) << "record " << i << ": " << st.status().ToString();
      EXPECT_EQ(st->mode, i & 0777);
    }
    ASSERT_TRUE((*meta)->Close().ok());
    ASSERT_TRUE((*chunks)->Close().ok());
  });

  // Torn tail: cut the log inside its last record.
  const std::string log = dir.path() + "/meta.log";
  struct stat sb{};
  ASSERT_EQ(::stat(log.c_str(), &sb), 0);
  const uint64_t records = (*meta)->recovery().records;
  const off_t last = static_cast<off_t>(9 + 39 + OpFor(static_cast<uint32_t>(records - 1)).meta.size());
  const off_t cut = 1 + static_cast<off_t>(rng() % static_cast<unsigned>(last - 1));
  ASSERT_EQ(::truncate(log.c_str(), sb.st_size - cut), 0);
  auto torn = MetadataStore::Open(*ex, MetaOptions(dir.path()));
  ASSERT_TRUE(torn.ok()) << torn.status().ToString();
  EXPECT_EQ((*torn)->recovery().records, records - 1);
  EXPECT_EQ((*torn)->recovery().bytes_cut, static_cast<uint64_t>(last - cut));
  ex->Run([&] {
    for (uint32_t i = 0; i + 1 < records; ++i) ASSERT_TRUE((*torn)->Stat(OpFor(i).meta).ok()) << i;
    EXPECT_EQ((*torn)->Stat(OpFor(static_cast<uint32_t>(records - 1)).meta).status().code(),
              StatusCode::kNotFound);
    ASSERT_TRUE((*torn)->Close().ok());
  });
}

}  // namespace
}  // namespace benchfs

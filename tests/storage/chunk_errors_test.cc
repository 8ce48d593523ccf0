// SPDX-License-Identifier: BSD-3-Clause
// Errors reach the caller as statuses that name the path and the errno: a
// read-only data dir (EROFS) and an inaccessible one (EACCES) fail at
// start-up; a full file system (ENOSPC, a tiny tmpfs in a private mount
// namespace) and a process out of descriptors (EMFILE) fail the write that
// hit them; a device error (EIO, staged by bind-mounting /proc/self/mem, whose
// offset 0 is no mapped address, over a chunk file) fails the read. Each case runs in a forked child so mounts, credentials and
// rlimits never leak; a case this machine can't stage is skipped with why.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "storage/chunk_layout.h"
#include "storage/chunk_store.h"
#include "storage/metadata_store.h"
#include "tests/storage/storage_test_util.h"

namespace benchfs {
namespace {

using testing::kChildSkip;
using testing::MountPrivateTmpfs;
using testing::RunInChild;
using testing::TempDir;

// In a child: exit 0 if `s` is the expected failure, 1 (printing it) if not.
int Expect(const Status& s, StatusCode code, std::initializer_list<const char*> words) {
  bool ok = !s.ok() && s.code() == code;
  for (const char* w : words) ok = ok && s.message().find(w) != std::string::npos;
  if (!ok) std::fprintf(stderr, "unexpected status: %s\n", s.ToString().c_str());
  return ok ? 0 : 1;
}

class StartUpErrors : public ::testing::TestWithParam<ChunkBackendKind> {};

TEST_P(StartUpErrors, ReadOnlyDataDirFailsAtOpen) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const ChunkBackendKind backend = GetParam();
  const bool root = geteuid() == 0;
  int rc = RunInChild([&] {
    if (root) {
      if (MountPrivateTmpfs(dir.path(), "size=1m", MS_RDONLY) != 0) return kChildSkip;
    } else if (::chmod(dir.path().c_str(), 0555) != 0) {
      return kChildSkip;
    }
    auto ex = Executor::Create({});
    if (!ex.ok()) return 2;
    ChunkStoreOptions o;
    o.backend = backend;
    o.data_dir = dir.path() + "/data";
    auto s = ChunkStore::Open(**ex, o);
    if (s.ok()) return 3;
    if (root) return Expect(s.status(), StatusCode::kIoError, {"read-only", "EROFS", dir.path().c_str()});
    return Expect(s.status(), StatusCode::kPermissionDenied, {"EACCES", dir.path().c_str()});
  });
  if (rc == kChildSkip) GTEST_SKIP() << "cannot make a read-only directory here: no private mount namespace (needs CAP_SYS_ADMIN)";
  EXPECT_EQ(rc, 0);
}

TEST_P(StartUpErrors, InaccessibleDataDirFailsAtOpen) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  const ChunkBackendKind backend = GetParam();
  const bool root = geteuid() == 0;
  int rc = RunInChild([&] {
    // root ignores permissions: drop to nobody first.
    if (root && (setgid(65534) != 0 || setuid(65534) != 0)) return kChildSkip;
    if (!root && ::chmod(dir.path().c_str(), 0555) != 0) return kChildSkip;
    auto ex = Executor::Create({});
    if (!ex.ok()) return kChildSkip;  // io_uring may be denied to unprivileged users
    ChunkStoreOptions o;
    o.backend = backend;
    o.data_dir = dir.path() + "/data";
    auto s = ChunkStore::Open(**ex, o);
    if (s.ok()) return 3;
    return Expect(s.status(), StatusCode::kPermissionDenied, {"EACCES", "data_dir"});
  });
  if (rc == kChildSkip) GTEST_SKIP() << "cannot run as an unprivileged user here";
  EXPECT_EQ(rc, 0);
}

TEST_P(StartUpErrors, DataDirThatIsAFileFailsAtOpen) {
  TempDir dir;
  const std::string file = dir.path() + "/plain-file";
  { std::ofstream(file) << "x"; }
  auto ex = Executor::Create({});
  ASSERT_TRUE(ex.ok());
  ChunkStoreOptions o;
  o.backend = GetParam();
  o.data_dir = file;
  auto s = ChunkStore::Open(**ex, o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find(file), std::string::npos) << s.status().ToString();
  EXPECT_NE(s.status().message().find("data_dir"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(DiskBackends, StartUpErrors,
                         ::testing::Values(ChunkBackendKind::kUring, ChunkBackendKind::kPosix),
                         [](const auto& info) { return std::string(ChunkBackendName(info.param)); });

struct FullCase {
  ChunkBackendKind backend;
  DurabilityPolicy durability;
};

class FullFileSystem : public ::testing::TestWithParam<FullCase> {};

TEST_P(FullFileSystem, EnospcReachesTheWriterWithPathAndErrno) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const FullCase c = GetParam();
  int rc = RunInChild([&] {
    if (MountPrivateTmpfs(dir.path(), "size=512k", 0) != 0) return kChildSkip;
    auto ex = Executor::Create({});
    if (!ex.ok()) return 2;
    ChunkStoreOptions o;
    o.backend = c.backend;
    o.durability = c.durability;
    o.data_dir = dir.path() + "/data";
    o.chunk_size = 256 * 1024;
    auto s = ChunkStore::Open(**ex, o);
    if (!s.ok()) {
      std::fprintf(stderr, "open: %s\n", s.status().ToString().c_str());
      return 4;
    }
    int verdict = 5;  // never filled up
    (*ex)->Run([&] {
      IoBuffer buf = IoBuffer::Allocate(16384);
      for (uint64_t i = 0; i < 64 * 16; ++i) {
        Status st = (*s)->Write("/full/file", i / 16, (i % 16) * 16384, buf, 16384);
        if (!st.ok()) {
          verdict = Expect(st, StatusCode::kResourceExhausted, {"ENOSPC", "'/full/file'", "chunk"});
          if (st.sys_errno() != ENOSPC) verdict = 6;
          break;
        }
      }
      (*s)->Close().IgnoreError();  // the disk is full: what close says is not under test
    });
    return verdict;
  });
  if (rc == kChildSkip) GTEST_SKIP() << "cannot mount a small tmpfs in a private mount namespace here (needs CAP_SYS_ADMIN)";
  EXPECT_EQ(rc, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, FullFileSystem,
    ::testing::Values(FullCase{ChunkBackendKind::kUring, DurabilityPolicy::kNone},
                      FullCase{ChunkBackendKind::kUring, DurabilityPolicy::kFsync},
                      FullCase{ChunkBackendKind::kPosix, DurabilityPolicy::kNone}),
    [](const auto& info) {
      return std::string(ChunkBackendName(info.param.backend)) + "_" +
             std::string(DurabilityPolicyName(info.param.durability));
    });

class ReadErrors : public ::testing::TestWithParam<ChunkBackendKind> {};

TEST_P(ReadErrors, EioReachesTheReaderWithPathAndErrno) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a bind mount in a private mount namespace";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const ChunkBackendKind backend = GetParam();
  int rc = RunInChild([&] {
    if (unshare(CLONE_NEWNS) != 0) return kChildSkip;
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return kChildSkip;
    auto ex = Executor::Create({});
    if (!ex.ok()) return 2;
    ChunkStoreOptions o;
    o.backend = backend;
    o.data_dir = dir.path() + "/data";
    int verdict = 5;
    (*ex)->Run([&] {
      IoBuffer buf = IoBuffer::Allocate(4096);
      {
        auto first = ChunkStore::Open(**ex, o);
        if (!first.ok() || !(*first)->Write("/eio/file", 0, 0, buf, 4096).ok()) return;
        if (!(*first)->Close().ok()) return;
      }
      const std::string chunk = o.data_dir + "/chunks/" + ChunkFileName(Xxh3FileId("/eio/file"), 0);
      if (mount("/proc/self/mem", chunk.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        verdict = kChildSkip;
        return;
      }
      auto s = ChunkStore::Open(**ex, o);  // opens the chunk file anew: the bind mount
      if (!s.ok()) return;
      auto n = (*s)->Read("/eio/file", 0, 0, buf, 4096);
      verdict = Expect(n.status(), StatusCode::kIoError, {"EIO", "'/eio/file'", "chunk 0"});
      if (verdict == 0 && n.status().sys_errno() != EIO) verdict = 6;
      (*s)->Close().IgnoreError();  // the chunk file reads as EIO: only the read is under test
    });
    return verdict;
  });
  if (rc == kChildSkip) GTEST_SKIP() << "cannot bind-mount in a private mount namespace here (needs CAP_SYS_ADMIN)";
  EXPECT_EQ(rc, 0);
}

INSTANTIATE_TEST_SUITE_P(DiskBackends, ReadErrors,
                         ::testing::Values(ChunkBackendKind::kUring, ChunkBackendKind::kPosix),
                         [](const auto& info) { return std::string(ChunkBackendName(info.param)); });

TEST(ChunkStoreErrors, MemoryBackendLimitActsLikeEnospc) {
  auto ex = Executor::Create({});
  ASSERT_TRUE(ex.ok());
  ChunkStoreOptions o;
  o.backend = ChunkBackendKind::kMemory;
  o.chunk_size = 64 * 1024;
  o.memory_limit = 128 * 1024;
  auto s = ChunkStore::Open(**ex, o);
  ASSERT_TRUE(s.ok());
  (*ex)->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(65536);
    EXPECT_TRUE((*s)->Write("/m", 0, 0, buf, 65536).ok());
    EXPECT_TRUE((*s)->Write("/m", 1, 0, buf, 65536).ok());
    Status st = (*s)->Write("/m", 2, 0, buf, 1);
    EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(st.sys_errno(), ENOSPC);
    EXPECT_NE(st.message().find("memory_limit"), std::string::npos);
    EXPECT_TRUE((*s)->Remove("/m").ok());
    EXPECT_TRUE((*s)->Write("/m", 2, 0, buf, 1).ok());  // freed
  });
}

TEST(ChunkStoreErrors, EmfileReachesTheWriterWithAHint) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  int rc = RunInChild([&] {
    auto ex = Executor::Create({});
    if (!ex.ok()) return 2;
    ChunkStoreOptions o;
    o.data_dir = dir.path() + "/data";
    o.max_open_files = 4096;  // the cache would keep them all: the rlimit bites first
    auto s = ChunkStore::Open(**ex, o);
    if (!s.ok()) return 4;
    int open_now = 0;
    for (int fd = 0; fd < 4096; ++fd) open_now += fcntl(fd, F_GETFD) != -1;
    rlimit old{};
    getrlimit(RLIMIT_NOFILE, &old);
    rlimit lim = old;
    lim.rlim_cur = static_cast<rlim_t>(open_now + 20);
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) return kChildSkip;
    int verdict = 5;
    (*ex)->Run([&] {
      IoBuffer buf = IoBuffer::Allocate(4096);
      for (uint64_t i = 0; i < 200; ++i) {
        Status st = (*s)->Write("/many/chunks", i, 0, buf, 4096);
        if (!st.ok()) {
          verdict = Expect(st, StatusCode::kResourceExhausted, {"EMFILE", "'/many/chunks'", "max_open_files"});
          break;
        }
      }
      // Sanitizers need descriptors of their own (UBSan's vptr check opens a pipe).
      setrlimit(RLIMIT_NOFILE, &old);
      if ((*s)->Close().ok() == false && verdict == 0) verdict = 8;
    });
    return verdict;
  });
  if (rc == kChildSkip) GTEST_SKIP() << "cannot lower RLIMIT_NOFILE here";
  EXPECT_EQ(rc, 0);
}

TEST(MetadataStoreErrors, ReadOnlyLogDirFailsAtOpen) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a read-only mount in a private namespace";
  int rc = RunInChild([&] {
    if (MountPrivateTmpfs(dir.path(), "size=1m", MS_RDONLY) != 0) return kChildSkip;
    auto ex = Executor::Create({});
    if (!ex.ok()) return 2;
    MetadataStoreOptions o;
    o.log_path = dir.path() + "/meta.log";
    auto m = MetadataStore::Open(**ex, o);
    if (m.ok()) return 3;
    return Expect(m.status(), StatusCode::kIoError, {"EROFS", "meta.log"});
  });
  if (rc == kChildSkip) GTEST_SKIP() << "no private mount namespace here (needs CAP_SYS_ADMIN)";
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace benchfs

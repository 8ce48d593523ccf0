// SPDX-License-Identifier: BSD-3-Clause
// The data life cycle and the daemon's hold on its data dir, as users meet
// them through the real binaries: one daemon per data dir (also through a
// symbolic link or a bind mount); `rm` removes a file's chunks on every server and a
// re-created name reads zeros; `bench small` removes what it wrote unless
// --keep; `gc` removes what an interrupted run left; after many runs the data
// dir is back to its size; STATUS counts chunk files and stored bytes.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;

// Bytes of every file below `dir` (allocated blocks).
uint64_t DiskUsage(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st{};
    if (::lstat(e.path().c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

class Lifecycle : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("lifecycle"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> DaemonFlags(const std::string& data) {
    return {"--listen", "127.0.0.1:0", "--data-dir", data, "--log-level", "error"};
  }
  std::vector<std::string> Client(const std::string& addr, std::vector<std::string> args) {
    std::vector<std::string> a = {BENCHFS_BIN, "-s", addr, "--timeout", "10s", "--connect-timeout", "10s"};
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }
  int Run(const std::string& addr, std::vector<std::string> args, std::string* err = nullptr) {
    Process p(Client(addr, std::move(args)));
    auto rc = p.Wait(120s);
    if (err != nullptr) *err = p.err();
    return rc.value_or(-1);
  }
  std::string dir_;
};

TEST_F(Lifecycle, ASecondDaemonOnTheSameDataDirIsRefused) {
  DaemonProcess first(DaemonFlags(dir_ + "/data"));
  ASSERT_TRUE(first.ok()) << first.Errors();
  std::filesystem::create_directory_symlink(dir_ + "/data", dir_ + "/link");
  int refused = 0;
  const int tries = 20;
  for (int i = 0; i < tries; ++i) {
    // Every other try reaches the same directory through a symbolic link.
    const std::string data = i % 2 == 0 ? dir_ + "/data" : dir_ + "/link";
    std::vector<std::string> args = {BENCHFSD_BIN};
    for (const auto& f : DaemonFlags(data)) args.push_back(f);
    Process second(testing::WithPrivilegeFlags(args));
    const auto rc = second.Wait(30s);
    if (rc == std::optional<int>(1) && second.err().find("is in use by process " + std::to_string(first.process().pid())) !=
                                           std::string::npos) {
      ++refused;
    } else {
      ADD_FAILURE() << "try " << i << " (" << data << "): exit " << rc.value_or(-1) << ": " << second.err();
    }
  }
  EXPECT_EQ(refused, tries);
  // The first daemon still serves, and after it stops the dir is free again.
  EXPECT_FALSE(first.Status().empty());
  first.process().Kill(SIGTERM);
  ASSERT_EQ(first.process().Wait(30s), std::optional<int>(0)) << first.Errors();
  DaemonProcess again(DaemonFlags(dir_ + "/link"));
  EXPECT_TRUE(again.ok()) << again.Errors();
}

TEST_F(Lifecycle, TheSameDirThroughABindMountIsTheSameLock) {
  const std::string mnt = dir_ + "/mnt";
  std::filesystem::create_directories(mnt);
  std::filesystem::create_directories(dir_ + "/data");
  // The second daemon sees the data dir bind-mounted elsewhere, in a private
  // mount namespace of its own (nothing leaks to the host).
  const std::vector<std::string> bind = {"unshare", "--mount", "--propagation", "private", "sh", "-c",
                                         "mount --bind '" + dir_ + "/data' '" + mnt + "' && exec \"$@\"", "sh"};
  {
    std::vector<std::string> probe = bind;
    probe.push_back("true");
    Process p(probe);
    if (p.Wait(30s) != std::optional<int>(0)) {
      GTEST_SKIP() << "cannot bind-mount in a private mount namespace here (needs unshare and CAP_SYS_ADMIN): "
                   << p.err();
    }
  }
  DaemonProcess first(DaemonFlags(dir_ + "/data"));
  ASSERT_TRUE(first.ok()) << first.Errors();
  std::vector<std::string> args = bind;
  args.push_back(BENCHFSD_BIN);
  for (const auto& f : DaemonFlags(mnt)) args.push_back(f);
  Process second(testing::WithPrivilegeFlags(args));
  EXPECT_EQ(second.Wait(30s), std::optional<int>(1)) << second.err();
  EXPECT_NE(second.err().find("is in use by process " + std::to_string(first.process().pid())), std::string::npos)
      << second.err();
}

TEST_F(Lifecycle, RmRemovesChunksAndARecreatedNameReadsZeros) {
  DaemonProcess d(DaemonFlags(dir_ + "/data"));
  ASSERT_TRUE(d.ok()) << d.Errors();
  ASSERT_EQ(Run(d.address(), {"put", "/f", "--size", "3000000"}), 0);
  auto kv = d.Status();
  EXPECT_EQ(kv["chunk_files"], 1u);
  EXPECT_GE(kv["stored_bytes"], 3000000u);
  ASSERT_EQ(Run(d.address(), {"rm", "/f"}), 0);
  kv = d.Status();
  EXPECT_EQ(kv["chunk_files"], 0u);
  EXPECT_EQ(kv["metadata_entries"], 0u);
  // The same name again, smaller, then read past its end as a hole: zeros,
  // not the old bytes.
  ASSERT_EQ(Run(d.address(), {"put", "/f", "--size", "1000"}), 0);
  Process grow(Client(d.address(), {"get", "/f", "--to", dir_ + "/out"}));
  ASSERT_EQ(grow.Wait(60s), std::optional<int>(0)) << grow.err();
  EXPECT_EQ(std::filesystem::file_size(dir_ + "/out"), 1000u);
  // The chunk file holds the new 1000 bytes only: past them it is a hole
  // (zeros), not the removed file's 3 MB.
  kv = d.Status();
  EXPECT_EQ(kv["chunk_files"], 1u);
  EXPECT_LT(kv["stored_bytes"], 64u << 10);
  std::string err;
  EXPECT_EQ(Run(d.address(), {"rm", "/missing"}, &err), 1);
  EXPECT_NE(err.find("/missing"), std::string::npos) << err;
}

TEST_F(Lifecycle, BenchSmallCleansUpUnlessKeptAndGcRemovesAnInterruptedRun) {
  DaemonProcess d(DaemonFlags(dir_ + "/data"));
  ASSERT_TRUE(d.ok()) << d.Errors();
  const uint64_t before = DiskUsage(dir_ + "/data");
  const std::vector<std::string> bench = {"bench", "small", "-n", "200", "--warmup", "10", "--files", "64"};
  for (int i = 0; i < 10; ++i) {
    std::string err;
    ASSERT_EQ(Run(d.address(), bench, &err), 0) << err;
  }
  auto kv = d.Status();
  EXPECT_EQ(kv["chunk_files"], 0u);
  EXPECT_EQ(kv["metadata_entries"], 0u);
  // --keep keeps; gc removes.
  auto kept = bench;
  kept.insert(kept.end(), {"--keep", "--client-id", "kept"});
  ASSERT_EQ(Run(d.address(), kept), 0);
  EXPECT_EQ(d.Status()["chunk_files"], 3u * 64u);
  // An interrupted run leaves its files behind ...
  Process interrupted(Client(d.address(), {"bench", "small", "--ops", "write", "--duration", "60s", "--files", "64"}));
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (d.Status()["chunk_files"] < 3u * 64u + 64u && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(100ms);
  }
  interrupted.Kill(SIGKILL);
  interrupted.Wait(10s);
  EXPECT_GE(d.Status()["chunk_files"], 3u * 64u + 64u);
  // ... which gc removes, with the kept run's.
  std::string err;
  ASSERT_EQ(Run(d.address(), {"gc"}, &err), 0) << err;
  kv = d.Status();
  EXPECT_EQ(kv["chunk_files"], 0u);
  EXPECT_EQ(kv["metadata_entries"], 0u);
  const uint64_t after = DiskUsage(dir_ + "/data");
  std::printf("[ disk usage ] before %llu B, after 12 runs and gc %llu B\n", static_cast<unsigned long long>(before),
              static_cast<unsigned long long>(after));
  EXPECT_LE(after, before + (1u << 20));
}

TEST_F(Lifecycle, AnAcknowledgedPutSurvivesKillNineAndARestart) {
  const std::string data = dir_ + "/data";
  std::vector<std::string> flags = DaemonFlags(data);
  flags.insert(flags.end(), {"--durability", "fsync", "--chunk-size", "1MiB"});
  // A file of 3.5 chunks with no pattern the store could fake.
  std::string bytes(3 * (1 << 20) + (1 << 19), '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : bytes) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  std::ofstream(dir_ + "/in", std::ios::binary) << bytes;
  {
    DaemonProcess d(flags);
    ASSERT_TRUE(d.ok()) << d.Errors();
    std::string err;
    ASSERT_EQ(Run(d.address(), {"put", "/kept", "--from", dir_ + "/in"}, &err), 0) << err;
    d.process().Kill(SIGKILL);
    d.process().Wait(10s);
  }
  DaemonProcess again(flags);  // the lock went with the killed process
  ASSERT_TRUE(again.ok()) << again.Errors();
  std::string err;
  ASSERT_EQ(Run(again.address(), {"get", "/kept", "--to", dir_ + "/out"}, &err), 0) << err;
  std::ifstream in(dir_ + "/out", std::ios::binary);
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got.size(), bytes.size());
  EXPECT_TRUE(got == bytes) << "the bytes read back after kill -9 differ from the acknowledged put";
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Fault matrix, disk full: benchfsd's data dir on a 1 MiB tmpfs, mounted in a
// private mount namespace of the daemon alone (nothing leaks to the host).
// Writes until the file system is full: the client gets RESOURCE_EXHAUSTED
// naming ENOSPC as the call's status, and the daemon keeps serving - what was
// written before reads back byte for byte, STAT and STATUS answer; a put that
// hits ENOSPC removes what it wrote, and rm frees space for the next. Where the
// test may not mount (no CAP_SYS_ADMIN, no unshare), it is skipped and says why.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/bin/client_session.h"
#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientSession;
using testing::DaemonProcess;
using testing::FillPattern;
using testing::MakeTempDir;
using testing::Process;

// The command that runs the rest of its arguments with a 1 MiB tmpfs on `dir`.
std::vector<std::string> WithTinyTmpfs(const std::string& dir) {
  return {"unshare", "--mount", "--propagation", "private", "sh", "-c",
          "mount -t tmpfs -o size=1m benchfs-full '" + dir + "' && exec \"$@\"", "sh"};
}

TEST(DiskFull, EnospcReachesTheClientAndReadsGoOn) {
  const std::string dir = MakeTempDir("disk-full");
  const std::string mnt = dir + "/mnt";
  std::filesystem::create_directories(mnt);
  {
    auto probe_args = WithTinyTmpfs(mnt);
    probe_args.push_back("true");
    Process probe(probe_args);
    if (probe.Wait(30s) != std::optional<int>(0)) {
      std::filesystem::remove_all(dir);
      GTEST_SKIP() << "cannot mount a tmpfs in a private mount namespace here (needs unshare and "
                      "CAP_SYS_ADMIN): "
                   << probe.err();
    }
  }
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", mnt + "/data", "--log-level", "error"}, {},
                  WithTinyTmpfs(mnt));
  ASSERT_TRUE(d.ok()) << d.Errors();

  ClientSession session;
  Status full;
  int written = 0;
  session.Run(d.address(), [&](FsClient& c) {
    constexpr size_t kKeep = 16 << 10;
    IoBuffer keep = IoBuffer::Allocate(kKeep);
    FillPattern(keep.data(), kKeep, 7, 0);
    ASSERT_TRUE(c.Create("/keep").ok());
    ASSERT_TRUE(c.WriteChunk("/keep", 0, 0, keep, kKeep).ok());

    constexpr size_t kFill = 64 << 10;
    IoBuffer fill = IoBuffer::Allocate(kFill);
    for (int i = 0; i < 200 && full.ok(); ++i) {
      full = c.WriteChunk("/fill/f" + std::to_string(i), 0, 0, fill, kFill);
      if (full.ok()) ++written;
    }
    ASSERT_FALSE(full.ok()) << "200 writes of 64 KiB fitted in a 1 MiB file system";
    EXPECT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
    EXPECT_NE(full.message().find("ENOSPC"), std::string::npos) << full.ToString();
    // Still full, still a clean status.
    Status again = c.WriteChunk("/fill/again", 0, 0, fill, kFill);
    EXPECT_EQ(again.code(), StatusCode::kResourceExhausted) << again.ToString();

    // Reads, STAT and STATUS are still served.
    IoBuffer got = IoBuffer::Allocate(kKeep);
    auto n = c.ReadChunk("/keep", 0, 0, got, kKeep);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, kKeep);
    EXPECT_EQ(std::memcmp(got.data(), keep.data(), kKeep), 0);
    EXPECT_TRUE(c.Stat("/keep").ok());
    auto status = c.ServerStatus(0);
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    for (int i = 0; i < written; ++i) {
      auto r = c.ReadChunk("/fill/f" + std::to_string(i), 0, 0, fill, kFill);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(*r, kFill);
    }
  });
  std::printf("[ disk full ] %d writes of 64 KiB fitted; then: %s\n", written, full.ToString().c_str());
  // A put that hits ENOSPC leaves nothing behind, and rm frees the store so
  // that the next put fits again.
  const std::vector<std::string> client = {BENCHFS_BIN, "-s", d.address()};
  auto cli = [&](std::vector<std::string> args) {
    std::vector<std::string> a = client;
    a.insert(a.end(), args.begin(), args.end());
    return a;
  };
  const uint64_t files_before = d.Status()["chunk_files"];
  Process big(cli({"put", "/big", "--size", "3000000"}));
  EXPECT_EQ(big.Wait(60s), std::optional<int>(1)) << big.err();
  EXPECT_NE(big.err().find("ENOSPC"), std::string::npos) << big.err();
  EXPECT_NE(big.err().find("/big was removed again"), std::string::npos) << big.err();
  Process gone(cli({"stat", "/big"}));
  EXPECT_EQ(gone.Wait(30s), std::optional<int>(1)) << "a failed put left its file behind";
  EXPECT_EQ(d.Status()["chunk_files"], files_before);
  for (int i = 0; i < written; ++i) {
    Process rm(cli({"rm", "/fill/f" + std::to_string(i)}));
    ASSERT_EQ(rm.Wait(30s), std::optional<int>(0)) << rm.err();
  }
  Process fits(cli({"put", "/fits", "--size", "300000"}));
  EXPECT_EQ(fits.Wait(60s), std::optional<int>(0)) << "the store stayed full after rm: " << fits.err();
  d.process().Kill(SIGTERM);
  EXPECT_TRUE(d.process().Wait(30s).has_value()) << "the daemon did not stop after SIGTERM";
  EXPECT_TRUE(std::filesystem::is_empty(mnt)) << "the tmpfs leaked out of the daemon's mount namespace";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The server-side floor (FLOOR) as a client sees it: it is measured by the
// daemon on its own data dir with its own settings - durability fsync puts an
// fdatasync in every write's floor, a memory backend or a daemon without a
// metadata log has no storage floor - and bad requests are refused with the
// limit named.
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/bin/client_session.h"
#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using testing::ClientSession;
using testing::DaemonProcess;
using testing::MakeTempDir;

FloorFigures FloorOf(const std::string& addr, FloorArgs args, Status* error = nullptr) {
  ClientSession session;
  FloorFigures f;
  session.Run(addr, [&](FsClient& c) {
    auto r = c.Floor(0, args);
    if (error != nullptr) *error = r.ok() ? Status() : r.status();
    if (r.ok()) f = *r;
  });
  return f;
}

TEST(Floor, TheServerMeasuresWithItsOwnSettings) {
  const std::string dir = MakeTempDir("floor");
  DaemonProcess plain({"--listen", "127.0.0.1:0", "--data-dir", dir + "/a", "--log-level", "error"});
  DaemonProcess synced({"--listen", "127.0.0.1:0", "--data-dir", dir + "/b", "--log-level", "error", "--durability",
                        "fsync"});
  DaemonProcess memory({"--listen", "127.0.0.1:0", "--data-dir", dir + "/c", "--log-level", "error", "--backend",
                        "memory"});
  DaemonProcess no_log({"--listen", "127.0.0.1:0", "--data-dir", dir + "/d", "--log-level", "error",
                        "--metadata-log", "false"});
  ASSERT_TRUE(plain.ok() && synced.ok() && memory.ok() && no_log.ok());
  const FloorArgs data{FloorKind::kData, 4096, 300, 16};
  const FloorFigures p = FloorOf(plain.address(), data);
  const FloorFigures s = FloorOf(synced.address(), data);
  std::printf("[ floor ] 4 KiB write p50: durability none %.2f us, fsync %.2f us; read %.2f us\n",
              p.write_p50_ns / 1000.0, s.write_p50_ns / 1000.0, p.read_p50_ns / 1000.0);
  EXPECT_GT(p.write_p50_ns, 0u);
  EXPECT_GT(p.read_p50_ns, 0u);
  EXPECT_GE(p.write_p99_ns, p.write_p50_ns);
  // An fdatasync per write reaches the disk: far above a page-cache write.
  EXPECT_GT(s.write_p50_ns, 3 * p.write_p50_ns);
  const FloorFigures m = FloorOf(memory.address(), data);
  EXPECT_EQ(m.write_p50_ns, 0u) << "a memory backend has no storage floor";
  const FloorArgs log{FloorKind::kLogAppend, 64, 300, 1};
  EXPECT_GT(FloorOf(plain.address(), log).write_p50_ns, 0u);
  EXPECT_EQ(FloorOf(no_log.address(), log).write_p50_ns, 0u) << "no metadata log, no log floor";
  // Bad requests name the limit.
  Status error;
  FloorOf(plain.address(), {FloorKind::kData, 64u << 20, 10, 1}, &error);
  EXPECT_EQ(error.code(), StatusCode::kInvalidArgument) << error.ToString();
  EXPECT_NE(error.message().find("out of range 1..4194304"), std::string::npos) << error.ToString();
  FloorOf(plain.address(), {FloorKind::kData, 4096, 0, 1}, &error);
  EXPECT_NE(error.message().find("count 0 is out of range"), std::string::npos) << error.ToString();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

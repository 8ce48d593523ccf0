// SPDX-License-Identifier: BSD-3-Clause
// benchfs as a careless or unlucky user meets it: absurd flag values and
// unwritable outputs are refused before anything runs (exit 2, one line
// naming the flag and the limit); a run that measured nothing fails; a run
// whose only server dies stops within its call deadline instead of spinning;
// parse errors of both binaries exit 2 as documented.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;

class ClientLimits : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("limits"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> Client(const std::string& addr, std::vector<std::string> args) {
    std::vector<std::string> a = {BENCHFS_BIN, "-s", addr};
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }
  // Runs the client; expects exit `code` and `needle` on stderr.
  void Expect(const std::string& addr, std::vector<std::string> args, int code, const std::string& needle) {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    Process p(Client(addr, args));
    ASSERT_EQ(p.Wait(60s), std::optional<int>(code)) << shown << ": " << p.err();
    EXPECT_NE(p.err().find(needle), std::string::npos) << shown << ": " << p.err();
  }
  std::string dir_;
};

TEST_F(ClientLimits, BadArgumentsAreRefusedBeforeAnythingRuns) {
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "error"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  const std::string a = d.address();
  Expect(a, {"bench", "small", "-n", "0"}, 2, "--iterations must be at least 1");
  Expect(a, {"bench", "small", "-n", "18446744073709551516"}, 2, "overflow");
  Expect(a, {"bench", "small", "--qd", "100000"}, 2, "allowed 1..16384");
  Expect(a, {"bench", "small", "--sizes", "8MiB"}, 2, "larger than the servers' chunk size 4MiB");
  Expect(a, {"bench", "small", "--json", "/nonexistent/x.json"}, 2, "--json /nonexistent/x.json cannot be written");
  Expect(a, {"bench", "small", "--csv", "/nonexistent/x.csv"}, 2, "--csv /nonexistent/x.csv cannot be written");
  Expect(a, {"bench", "small", "--duration", "0s"}, 2, "--duration must be more than 0");
  Expect(a, {"put", "/p", "--from", dir_}, 2, "is a directory");
  Expect(a, {"bench", "small", "--no-such-flag"}, 2, "no-such-flag");
  Expect(a, {"rm"}, 2, "give a PATH or --prefix");
  // Nothing reached the server's data path.
  auto kv = d.Status();
  EXPECT_EQ(kv["op.write_chunk"], 0u);
  EXPECT_EQ(kv["op.meta_create"], 0u);
  // A run too short to complete one operation fails and says so.
  Expect(a, {"bench", "small", "--ops", "stat", "--duration", "1us", "--warmup", "50"}, 1, "measured no");
  Expect(a, {"bench", "small", "--ops", "write", "--sizes", "4KiB", "--duration", "1us", "--warmup", "50"}, 1,
         "measured no write 4KiB operation");
  // benchfsd's parse errors are exit 2 too.
  Process bad({BENCHFSD_BIN, "--no-such-flag"});
  EXPECT_EQ(bad.Wait(30s), std::optional<int>(2)) << bad.err();
  Process help({BENCHFS_BIN, "--help"});
  EXPECT_EQ(help.Wait(30s), std::optional<int>(0));
}

TEST_F(ClientLimits, AHugePutStreamsAndFailsCleanlyWhenTheStoreIsFull) {
  // 93 GB asked of an 8 MiB store: the client holds one chunk at a time, so
  // it does not abort on allocation; the store fills, and the put removes
  // what it wrote.
  const std::string config = dir_ + "/small.toml";
  std::ofstream(config) << "[storage]\nbackend = \"memory\"\nchunk_size = \"1MiB\"\nmemory_limit = \"8MiB\"\n";
  DaemonProcess d({"--listen", "127.0.0.1:0", "--config", config, "--log-level", "error"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  Process p(Client(d.address(), {"put", "/huge", "--size", "99999999999"}));
  ASSERT_EQ(p.Wait(60s), std::optional<int>(1)) << p.err();
  EXPECT_NE(p.err().find("memory_limit"), std::string::npos) << p.err();
  EXPECT_NE(p.err().find("/huge was removed again"), std::string::npos) << p.err();
  auto kv = d.Status();
  EXPECT_EQ(kv["chunk_files"], 0u);
  EXPECT_EQ(kv["metadata_entries"], 0u);
}

TEST_F(ClientLimits, ADeadServerEndsADurationRunWithinTheCallDeadline) {
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "error"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  Process c(Client(d.address(), {"--timeout", "2s", "bench", "small", "--ops", "stat", "--qd", "4", "--duration",
                                 "20s"}));
  std::this_thread::sleep_for(1500ms);
  d.process().Kill(SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  const auto rc = c.Wait(30s);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  std::printf("[ dead server ] the client stopped %.2f s after the kill (call deadline 2 s)\n", took);
  ASSERT_EQ(rc, std::optional<int>(1)) << c.err();
  EXPECT_LE(took, 3.0) << "the call deadline is 2 s";
  EXPECT_NE(c.err().find("every server is unreachable"), std::string::npos) << c.err();
  EXPECT_NE(c.err().find(d.address()), std::string::npos) << c.err();
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Security options as users meet them: benchfsd refuses to run as root
// without --allow-root; it listens on localhost unless told an address; a
// token file (--token-file, mode 0600 only) makes every connection start
// with a HELLO carrying the token, and anything else is denied and counted;
// pid and registry files are owner-only; paths cannot reach outside the data
// dir; request sizes and path lengths are bounded with errors naming the limit.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "service/readiness.h"
#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;

class Security : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("security"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> Client(std::vector<std::string> args, const std::string& addr) {
    std::vector<std::string> a = {BENCHFS_BIN, "-s", addr, "--timeout", "5s", "--connect-timeout", "5s"};
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }
  std::string TokenFile(const std::string& name, const std::string& token, mode_t mode) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << token << "\n";
    ::chmod(path.c_str(), mode);
    return path;
  }
  static mode_t ModeOf(const std::string& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
  }
  std::string dir_;
};

TEST_F(Security, RootIsRefusedUnlessAllowed) {
  const std::vector<std::string> flags = {"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level",
                                          "warn"};
  if (::geteuid() != 0) {
    // As an ordinary user no flag is needed.
    std::vector<std::string> args = {BENCHFSD_BIN};
    args.insert(args.end(), flags.begin(), flags.end());
    Process p(args);
    auto line = p.ReadLine();
    ASSERT_TRUE(line.has_value()) << p.err();
    EXPECT_TRUE(ParseReadyLine(*line).has_value()) << *line;
    return;
  }
  std::vector<std::string> args = {BENCHFSD_BIN};
  args.insert(args.end(), flags.begin(), flags.end());
  Process refused(args);
  ASSERT_EQ(refused.Wait(30s), std::optional<int>(1));
  EXPECT_NE(refused.err().find("benchfsd: refusing to run as root"), std::string::npos) << refused.err();
  EXPECT_NE(refused.err().find("--allow-root"), std::string::npos) << refused.err();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/data")) << "a refused daemon must not touch its data dir";
  // The same daemon as an ordinary user (nobody) starts without the flag.
  std::filesystem::permissions(dir_, std::filesystem::perms::all);
  std::vector<std::string> as_nobody = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  as_nobody.insert(as_nobody.end(), args.begin(), args.end());
  Process user(as_nobody);
  auto line = user.ReadLine();
  ASSERT_TRUE(line.has_value()) << user.err();
  EXPECT_TRUE(ParseReadyLine(*line).has_value()) << *line;
}

TEST_F(Security, ListensOnLocalhostByDefault) {
  Process print({BENCHFSD_BIN, "--print-config"});
  ASSERT_EQ(print.Wait(30s), std::optional<int>(0));
  EXPECT_NE(print.out().find("server.listen = \"127.0.0.1:7100\""), std::string::npos) << print.out();
  // Started without --listen in a network namespace of its own (so port 7100
  // is free): the socket is bound to 127.0.0.1 only.
  Process probe({"unshare", "--net", "true"});
  if (probe.Wait(30s) != std::optional<int>(0)) {
    GTEST_SKIP() << "the listener check needs a private network namespace (unshare --net): " << probe.err();
  }
  DaemonProcess d({"--data-dir", dir_ + "/data", "--log-level", "warn"}, {},
                  {"unshare", "--net", "sh", "-c", "ip link set lo up && exec \"$@\"", "sh"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  EXPECT_EQ(d.address(), "127.0.0.1:7100");
  // /proc/<pid>/net/tcp lists the sockets of the daemon's namespace: local
  // address 0100007F:1BBC (127.0.0.1:7100) in state 0A (LISTEN).
  const std::string tcp = ReadFile("/proc/" + std::to_string(d.process().pid()) + "/net/tcp");
  EXPECT_NE(tcp.find("0100007F:1BBC 00000000:0000 0A"), std::string::npos) << tcp;
  EXPECT_EQ(tcp.find("00000000:1BBC"), std::string::npos) << "listening on every address:\n" << tcp;
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();
}

TEST_F(Security, TokenIsRequiredFirstAndCounted) {
  const std::string token = TokenFile("token", "correct horse battery staple", 0600);
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "warn", "--token-file",
                   token});
  ASSERT_TRUE(d.ok()) << d.Errors();
  Process with({BENCHFS_BIN, "-s", d.address(), "--token-file", token, "put", "/t/file", "--size", "10000"});
  EXPECT_EQ(with.Wait(60s), std::optional<int>(0)) << with.err();
  Process without(Client({"stat", "/t/file"}, d.address()));
  EXPECT_EQ(without.Wait(60s), std::optional<int>(1));
  EXPECT_NE(without.err().find("refused the connection"), std::string::npos) << without.err();
  EXPECT_NE(without.err().find("requires a token"), std::string::npos) << without.err();
  const std::string wrong = TokenFile("wrong", "incorrect horse", 0600);
  Process bad(Client({"--token-file", wrong, "stat", "/t/file"}, d.address()));
  EXPECT_EQ(bad.Wait(60s), std::optional<int>(1));
  EXPECT_NE(bad.err().find("wrong token"), std::string::npos) << bad.err();
  Process baseline(Client({"--token-file", token, "bench", "small", "--baseline", "-n", "10"}, d.address()));
  EXPECT_EQ(baseline.Wait(60s), std::optional<int>(1));
  EXPECT_NE(baseline.err().find("--baseline cannot be used with --token-file"), std::string::npos) << baseline.err();
  auto kv = d.Status({"--token-file", token});
  EXPECT_EQ(kv["denied"], 2u);
  EXPECT_EQ(kv["op.stat"], 0u) << "a denied request must not be served";
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();
}

TEST_F(Security, TokenFileReadableByOthersIsRefused) {
  const std::string token = TokenFile("token", "s3cret", 0644);
  Process daemon(testing::WithPrivilegeFlags(
      {BENCHFSD_BIN, "--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--token-file", token}));
  EXPECT_EQ(daemon.Wait(30s), std::optional<int>(1));
  EXPECT_NE(daemon.err().find("chmod 600 " + token), std::string::npos) << daemon.err();
  Process client({BENCHFS_BIN, "-s", "127.0.0.1:1", "--token-file", token, "status"});
  EXPECT_EQ(client.Wait(30s), std::optional<int>(2));
  EXPECT_NE(client.err().find("chmod 600 " + token), std::string::npos) << client.err();
}

TEST_F(Security, PidAndRegistryFilesAreOwnerOnly) {
  const std::string pid = dir_ + "/benchfsd.pid";
  const std::string reg = dir_ + "/registry";
  std::filesystem::create_directories(reg);
  { std::ofstream(pid) << "0\n"; }
  ::chmod(pid.c_str(), 0644);  // a stale pid file with a wide mode
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "warn", "--pid-file", pid,
                   "--registry-dir", reg, "--registry-name", "s0"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  EXPECT_EQ(ModeOf(pid), 0600u);
  EXPECT_EQ(ModeOf(reg + "/s0.addr"), 0600u);
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();

  // A pid file that is a symbolic link is refused, and its target untouched.
  const std::string target = dir_ + "/target";
  { std::ofstream(target) << "keep\n"; }
  ASSERT_EQ(::symlink(target.c_str(), pid.c_str()), 0);
  Process linked(testing::WithPrivilegeFlags(
      {BENCHFSD_BIN, "--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--pid-file", pid}));
  EXPECT_EQ(linked.Wait(30s), std::optional<int>(1));
  EXPECT_NE(linked.err().find("symbolic link"), std::string::npos) << linked.err();
  EXPECT_EQ(ReadFile(target), "keep\n");
}

TEST_F(Security, PathsCannotEscapeTheDataDir) {
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "warn"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  for (const std::string path : {"/../../../../etc/benchfs-escape", "../escape", "/a/./b", "relative"}) {
    Process put(Client({"put", path, "--size", "100"}, d.address()));
    EXPECT_EQ(put.Wait(60s), std::optional<int>(1)) << path;
    EXPECT_NE(put.err().find("is invalid"), std::string::npos) << put.err();
  }
  // A valid path that names a real place outside the data dir is only a name:
  // the bytes land under data_dir/chunks, nothing is created at that place.
  const std::string outside = dir_ + "/outside/file";
  Process put(Client({"put", outside, "--size", "5000"}, d.address()));
  ASSERT_EQ(put.Wait(60s), std::optional<int>(0)) << put.err();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/outside"));
  bool inside = false;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/data/chunks")) {
    if (e.path().extension() == ".path" && ReadFile(e.path()) == outside + "\n") inside = true;
  }
  EXPECT_TRUE(inside) << "the file's owner record is not under the data dir";
  EXPECT_FALSE(std::filesystem::exists("/etc/benchfs-escape"));
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();
}

TEST_F(Security, RequestSizesAndPathLengthsAreBounded) {
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "warn", "--chunk-size",
                   "1MiB"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  // A payload larger than a chunk is refused before it is received.
  Process big(Client({"bench", "ping", "--sizes", "2MiB", "-n", "1", "--warmup", "0"}, d.address()));
  EXPECT_EQ(big.Wait(60s), std::optional<int>(3)) << big.out() << big.err();
  EXPECT_NE(big.out().find("declared payload length 2097152 exceeds the limit 1048576"), std::string::npos)
      << big.out();
  // A path over the stores' limit is refused by the server naming the limit;
  // one whose header would not fit the wire's limit is refused by the client
  // before anything is sent (the server counts oversize headers as malformed:
  // tests/rpc/malformed_test.cc).
  Process long_path(Client({"stat", "/" + std::string(5000, 'a')}, d.address()));
  EXPECT_EQ(long_path.Wait(60s), std::optional<int>(1));
  EXPECT_NE(long_path.err().find("longer than the limit of 4096"), std::string::npos) << long_path.err();
  Process huge_path(Client({"stat", "/" + std::string(9000, 'a')}, d.address()));
  EXPECT_EQ(huge_path.Wait(60s), std::optional<int>(1));
  EXPECT_NE(huge_path.err().find("operation header of 9003 bytes exceeds the limit of 6144 bytes"),
            std::string::npos)
      << huge_path.err();
  auto kv = d.Status();
  EXPECT_GE(kv["malformed"], 1u);  // the oversize ping payload
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(30s), std::optional<int>(0)) << d.Errors();
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// benchfsd as users run it: every start-up mistake is one line naming the
// problem and a non-zero exit; SIGTERM and SHUTDOWN stop it cleanly (exit 0,
// pid file and registry entry removed); the perf log has a row a second with
// a constant thread count.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "service/readiness.h"
#include "tests/bin/process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;
using testing::WithPrivilegeFlags;

class Daemon : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("daemon"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> Args(std::vector<std::string> extra) {
    std::vector<std::string> a = {BENCHFSD_BIN, "--data-dir", dir_ + "/data", "--log-level", "warn"};
    a.insert(a.end(), extra.begin(), extra.end());
    return WithPrivilegeFlags(a);
  }
  // Starts a daemon on 127.0.0.1:<any>; returns the address it printed.
  std::string Start(Process& p) {
    auto line = p.ReadLine();
    EXPECT_TRUE(line.has_value()) << p.err();
    if (!line) return "";
    return ParseReadyLine(*line).value_or("");
  }
  std::string dir_;
};

// One line on stderr, naming `what`, and the expected exit code.
void ExpectOneLineError(Process& p, int code, const std::string& what) {
  auto rc = p.Wait(30s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, code) << p.err();
  std::string err = p.err();
  // UCX may add its own log lines; ours is the one starting with "benchfsd: ".
  size_t at = err.find("benchfsd: ");
  ASSERT_NE(at, std::string::npos) << err;
  std::string line = err.substr(at, err.find('\n', at) - at);
  EXPECT_NE(line.find(what), std::string::npos) << line;
}

TEST_F(Daemon, UnknownConfigKey) {
  std::ofstream(dir_ + "/bad.toml") << "[server]\nlisen = \"127.0.0.1:1\"\n";
  Process p(Args({"--config", dir_ + "/bad.toml"}));
  ExpectOneLineError(p, 2, "unknown key 'server.lisen'");
}

TEST_F(Daemon, BadValue) {
  Process p(Args({"--durability", "sometimes"}));
  ExpectOneLineError(p, 2, "--durability");
  Process q(Args({"--chunk-size", "3KiB"}));
  ExpectOneLineError(q, 2, "--chunk-size");
}

TEST_F(Daemon, PortInUse) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(s, 1), 0);
  socklen_t len = sizeof(a);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string addr = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  Process p(Args({"--listen", addr}));
  ExpectOneLineError(p, 1, "listening on " + addr + " (address already in use)");
  ::close(s);
}

TEST_F(Daemon, UnwritableDataDir) {
  std::filesystem::create_directories(dir_ + "/ro");
  std::filesystem::permissions(dir_ + "/ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  // Root writes into mode-0500 directories; /proc refuses new directories to everyone.
  const std::string data =
      ::access((dir_ + "/ro").c_str(), W_OK) == 0 ? "/proc/benchfsd-test/data" : dir_ + "/ro/data";
  Process p(WithPrivilegeFlags({BENCHFSD_BIN, "--listen", "127.0.0.1:0", "--data-dir", data}));
  ExpectOneLineError(p, 1, data);
}

TEST_F(Daemon, DataDirThatIsAFile) {
  std::ofstream(dir_ + "/file") << "x";
  Process p(WithPrivilegeFlags({BENCHFSD_BIN, "--listen", "127.0.0.1:0", "--data-dir", dir_ + "/file"}));
  ExpectOneLineError(p, 1, dir_ + "/file");
}

TEST_F(Daemon, SigtermStopsCleanly) {
  const std::string pid = dir_ + "/benchfsd.pid";
  const std::string reg = dir_ + "/registry";
  std::filesystem::create_directories(reg);
  Process p(Args({"--listen", "127.0.0.1:0", "--pid-file", pid, "--registry-dir", reg, "--registry-name", "s0"}));
  ASSERT_NE(Start(p), "");
  EXPECT_EQ(ReadFile(pid), std::to_string(p.pid()) + "\n");
  EXPECT_TRUE(std::filesystem::exists(reg + "/s0.addr"));
  p.Kill(SIGTERM);
  auto rc = p.Wait(30s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << p.err();
  EXPECT_FALSE(std::filesystem::exists(pid));
  EXPECT_FALSE(std::filesystem::exists(reg + "/s0.addr"));
}

TEST_F(Daemon, ShutdownRequestStopsCleanlyAndPerfLogIsWritten) {
  const std::string perf = dir_ + "/perf.csv";
  Process d(Args({"--listen", "127.0.0.1:0", "--perf-log", perf}));
  const std::string addr = Start(d);
  ASSERT_NE(addr, "");
  Process load({BENCHFS_BIN, "-s", addr, "bench", "small", "--duration", "1s", "--warmup", "0", "--sizes", "4KiB"});
  ASSERT_EQ(load.Wait(120s), std::optional<int>(0)) << load.err();
  std::this_thread::sleep_for(1200ms);
  Process stop({BENCHFS_BIN, "-s", addr, "shutdown"});
  EXPECT_EQ(stop.Wait(30s), std::optional<int>(0)) << stop.err();
  auto rc = d.Wait(30s);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << d.err();
  std::stringstream csv(ReadFile(perf));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("elapsed_s,threads,io_workers,rss_mib,vms_mib,completed", 0), 0u) << header;
  EXPECT_NE(header.find(",chunk_files,stored_mib"), std::string::npos) << header;
  std::vector<int> threads;
  std::vector<int> io_workers;
  uint64_t last_completed = 0;
  std::string row;
  while (std::getline(csv, row)) {
    std::stringstream r(row);
    std::string field;
    std::vector<std::string> f;
    while (std::getline(r, field, ',')) f.push_back(field);
    ASSERT_GE(f.size(), 6u);
    threads.push_back(std::stoi(f[1]));
    io_workers.push_back(std::stoi(f[2]));
    last_completed = std::stoull(f[5]);
  }
  ASSERT_GE(threads.size(), 3u);  // a row a second (and a last one at shutdown)
  // The daemon's own threads never change, however busy; io_uring's kernel
  // workers come and go within their bound (io_workers = 2 per kind).
  for (size_t i = 0; i < threads.size(); ++i) {
    EXPECT_EQ(threads[i] - io_workers[i], threads[0] - io_workers[0]) << "row " << i;
    EXPECT_LE(io_workers[i], 4) << "row " << i;
  }
  EXPECT_GT(last_completed, 1000u);
}

TEST_F(Daemon, PrintConfigListsEveryKey) {
  Process p({BENCHFSD_BIN, "--print-config", "--submit-timeout", "10us"});
  ASSERT_EQ(p.Wait(10s), std::optional<int>(0));
  EXPECT_NE(p.out().find("reactor.submit_timeout = \"10us\""), std::string::npos) << p.out();
  EXPECT_NE(p.out().find("storage.durability = \"none\""), std::string::npos);
}

}  // namespace
}  // namespace benchfs

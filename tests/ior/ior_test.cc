// SPDX-License-Identifier: BSD-3-Clause
// IOR and mdtest against benchfsd through the BENCHFS backend, run as HPC
// users run them (mpirun -np 4), each checked the way IOR checks itself
// (-W -R: every byte read back compared with what was written); a chunk
// corrupted on disk must make the check fail; afterwards the servers hold no
// metadata records and no chunk files. Also cluster-scripts/run driving the
// tools (-- ior, io500-lite) with the BENCHFS and POSIX backends.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/bin/daemon_process.h"
#include "tests/bin/process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;

const std::string kIorDir = IOR_DIR;
const std::string kRun = std::string(BENCHFS_SOURCE_DIR) + "/cluster-scripts/run";

// Why IOR cannot be used here, or "" when it can (with the BENCHFS backend
// when `benchfs` is true).
std::string IorMissing(bool benchfs) {
  if (!std::filesystem::exists(kIorDir + "/ior") || !std::filesystem::exists(kIorDir + "/mdtest")) {
    return "no ior/mdtest in " + kIorDir +
           ": the ior_build test (scripts/build-ior) did not build them - the pinned source "
           "../shared/peers/ior-5fcf0ba.tar.gz is absent or the build failed (see that test's output)";
  }
  const std::string stamp = ReadFile(kIorDir + "/../.build-ior-stamp");
  if (benchfs && stamp.find(" posix-only ") != std::string::npos) {
    return "the IOR in " + kIorDir + " has no BENCHFS backend: this build tree has no libbenchfs";
  }
  return "";
}

struct ToolResult {
  std::optional<int> exit;
  std::string output;  // stdout then stderr
};

// mpirun -np `ranks` <tool> args..., as root and oversubscribed when needed.
ToolResult RunTool(const std::string& tool, std::vector<std::string> args, int ranks = 4) {
  std::vector<std::string> argv = {MPIRUN, "-np", std::to_string(ranks), "--oversubscribe"};
  if (::geteuid() == 0) argv.push_back("--allow-run-as-root");
  argv.push_back(kIorDir + "/" + tool);
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv);
  ToolResult r;
  r.exit = p.Wait(std::chrono::minutes(10));
  r.output = p.out() + "\n" + p.err();
  return r;
}

// The lines IOR and mdtest print when something went wrong.
std::vector<std::string> ErrorLines(const std::string& output) {
  static const std::regex bad(R"(ERROR|Incorrect data|MPI_ABORT)");
  std::vector<std::string> found;
  std::stringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (std::regex_search(line, bad)) found.push_back(line);
  }
  return found;
}

void ExpectClean(const ToolResult& r) {
  EXPECT_EQ(r.exit, std::optional<int>(0)) << r.output;
  EXPECT_TRUE(ErrorLines(r.output).empty()) << r.output;
}

class IorBenchfs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = IorMissing(true); !why.empty()) GTEST_SKIP() << why;
    root_ = MakeTempDir("ior");
    for (int i = 0; i < 2; ++i) {
      const std::string data = root_ + "/server-" + std::to_string(i);
      servers_.push_back(std::make_unique<DaemonProcess>(std::vector<std::string>{
          "--listen", "127.0.0.1:0", "--data-dir", data, "--chunk-size", "1MiB", "--log-level", "warn"}));
      ASSERT_TRUE(servers_.back()->ok()) << servers_.back()->Errors();
      data_dirs_.push_back(data);
    }
  }
  void TearDown() override {
    servers_.clear();
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }
  std::vector<std::string> Backend() const {
    std::string list;
    for (const auto& s : servers_) list += (list.empty() ? "" : ",") + s->address();
    return {"-a", "BENCHFS", "--benchfs.servers=" + list};
  }
  std::vector<std::string> With(std::vector<std::string> args) const {
    std::vector<std::string> all = Backend();
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }
  // Every server holds no metadata record and no chunk file.
  void ExpectServersEmpty() {
    for (size_t i = 0; i < servers_.size(); ++i) {
      auto status = servers_[i]->Status();
      ASSERT_FALSE(status.empty()) << "server " << i << " answers no STATUS";
      EXPECT_EQ(status["metadata_entries"], 0u) << "server " << i;
      EXPECT_EQ(status["chunk_files"], 0u) << "server " << i;
    }
  }
  // The chunk files (not owner records) in the servers' data directories.
  std::vector<std::string> ChunkFiles() const {
    static const std::regex chunk(R"(^[0-9a-f]+\.[0-9]+$)");
    std::vector<std::string> found;
    for (const auto& d : data_dirs_) {
      if (!std::filesystem::exists(d + "/chunks")) continue;
      for (const auto& e : std::filesystem::recursive_directory_iterator(d + "/chunks")) {
        if (e.is_regular_file() && std::regex_match(e.path().filename().string(), chunk)) {
          found.push_back(e.path());
        }
      }
    }
    return found;
  }

  std::string root_;
  std::vector<std::unique_ptr<DaemonProcess>> servers_;
  std::vector<std::string> data_dirs_;
};

const std::vector<std::string> kIorCheck = {"-w", "-r", "-W", "-R", "-C", "-Q", "1", "-e", "-G", "42"};

std::vector<std::string> Cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(IorBenchfs, IorFilePerProcessWritesReadsAndChecksEveryByte) {
  ExpectClean(RunTool("ior", With(Cat(kIorCheck, {"-t", "64k", "-b", "4m", "-s", "4", "-F", "-o", "/ior-fpp"}))));
  ExpectServersEmpty();
}

TEST_F(IorBenchfs, IorSharedFileWritesReadsAndChecksEveryByte) {
  ExpectClean(RunTool("ior", With(Cat(kIorCheck, {"-t", "64k", "-b", "4m", "-s", "4", "-o", "/ior-shared"}))));
  ExpectServersEmpty();
}

TEST_F(IorBenchfs, IorTransfersCrossingChunkBoundariesCheckEveryByte) {
  // 1 MiB chunks: nearly every 1 000 000-byte transfer spans two chunks.
  ExpectClean(RunTool("ior", With(Cat(kIorCheck, {"-t", "1000000", "-b", "3000000", "-s", "2", "-F", "-o",
                                                  "/ior-cross-fpp"}))));
  ExpectClean(RunTool("ior", With(Cat(kIorCheck, {"-t", "1000000", "-b", "3000000", "-s", "2", "-o",
                                                  "/ior-cross-shared"}))));
  ExpectServersEmpty();
}

TEST_F(IorBenchfs, IorFindsAChunkCorruptedOnDisk) {
  const std::vector<std::string> shape = {"-C", "-Q", "1", "-e", "-G", "42", "-t", "64k", "-b", "4m", "-s", "4",
                                          "-o", "/ior-corrupt"};
  ExpectClean(RunTool("ior", With(Cat({"-w", "-W", "-k"}, shape))));
  auto chunks = ChunkFiles();
  ASSERT_FALSE(chunks.empty()) << "no chunk file in the servers' data directories";
  {
    // Flip 64 bytes in the middle of one chunk, behind the server's back.
    int fd = ::open(chunks.front().c_str(), O_RDWR);
    ASSERT_GE(fd, 0) << chunks.front();
    char buf[64];
    const off_t at = 4096;
    ASSERT_EQ(::pread(fd, buf, sizeof(buf), at), static_cast<ssize_t>(sizeof(buf))) << chunks.front();
    for (char& c : buf) c = static_cast<char>(~c);
    ASSERT_EQ(::pwrite(fd, buf, sizeof(buf), at), static_cast<ssize_t>(sizeof(buf)));
    ASSERT_EQ(::fsync(fd), 0);
    ::close(fd);
  }
  ToolResult read = RunTool("ior", With(Cat({"-r", "-R"}, shape)));
  EXPECT_NE(read.exit, std::optional<int>(0)) << "the read check passed over a corrupted chunk:\n" << read.output;
  // IOR's own comparison found it (or, with a store that checksums, the read failed).
  EXPECT_TRUE(read.output.find("Incorrect data on read") != std::string::npos ||
              read.output.find("benchfs_pread") != std::string::npos)
      << read.output;
}

const std::vector<std::string> kMdtest = {"-n", "1000", "-w", "3901", "-e", "3901", "--warningAsErrors"};

// The libbenchfs calls among `calls` that the IOR build's configure did not
// find (scripts/build-ior lists the ones it found in <prefix>/benchfs-calls).
std::string MissingCalls(const std::vector<std::string>& calls) {
  const std::string found = "\n" + ReadFile(kIorDir + "/../benchfs-calls");
  std::string missing;
  for (const auto& c : calls) {
    if (found.find("\n" + c + "\n") == std::string::npos) missing += " benchfs_" + c;
  }
  return missing;
}

std::string NeedsNamespace(const std::string& missing) {
  return "the libbenchfs this IOR was built against lacks" + missing +
         " (the servers' namespace calls), which this mdtest run needs";
}

TEST_F(IorBenchfs, MdtestDefaultPhases) {
  // mdtest removes every directory it made, and its default phases rename directories.
  if (std::string m = MissingCalls({"mkdir", "rmdir", "rename"}); !m.empty()) GTEST_SKIP() << NeedsNamespace(m);
  ExpectClean(RunTool("mdtest", With(Cat(kMdtest, {"-d", "/mdtest-default"}))));
  ExpectServersEmpty();
}

TEST_F(IorBenchfs, MdtestFilesOnlyUniqueDirectoriesLeafLevel) {
  // Files only: no directory phase, so no rename; the directories mdtest makes are removed.
  if (std::string m = MissingCalls({"mkdir", "rmdir"}); !m.empty()) GTEST_SKIP() << NeedsNamespace(m);
  ExpectClean(RunTool("mdtest", With(Cat(kMdtest, {"-F", "-u", "-L", "-d", "/mdtest-fuL"}))));
  ExpectServersEmpty();
}

TEST_F(IorBenchfs, MdtestTreeDepthTwoBranchingThree) {
  if (std::string m = MissingCalls({"mkdir", "rmdir", "rename"}); !m.empty()) GTEST_SKIP() << NeedsNamespace(m);
  ExpectClean(RunTool("mdtest", With(Cat(kMdtest, {"-z", "2", "-b", "3", "-d", "/mdtest-tree"}))));
  ExpectServersEmpty();
}

// cluster-scripts/run driving IOR/mdtest.
class RunTools : public ::testing::Test {
 protected:
  void SetUp() override { root_ = MakeTempDir("iorrun"); }
  void TearDown() override { std::filesystem::remove_all(root_); }
  Process Run(std::vector<std::string> args) {
    std::vector<std::string> a = {kRun, "--launcher", "local", "--results", root_ + "/results", "--bin-dir",
                                  BENCHFS_BIN_DIR, "--ior-dir", kIorDir, "--data-dir", root_ + "/scratch"};
    a.insert(a.end(), args.begin(), args.end());
    return Process(a);
  }
  std::string Folder() {
    std::string found;
    for (const auto& e : std::filesystem::directory_iterator(root_ + "/results")) found = e.path();
    return found;
  }
  std::string root_;
};

// Every io500-lite phase of `backend` has a positive figure and the score is
// the geometric mean IO500 computes.
void ExpectIo500Column(const json& summary, const std::string& backend) {
  const json& col = summary["backends"][backend];
  ASSERT_TRUE(col.is_object()) << summary.dump(2);
  double log_bw = 0, log_md = 0;
  int n_bw = 0, n_md = 0;
  for (const auto& [phase, value] : col["phases"].items()) {
    ASSERT_TRUE(value.is_number()) << backend << " " << phase << " failed";
    EXPECT_GT(value.get<double>(), 0.0) << backend << " " << phase;
    if (phase.rfind("ior-", 0) == 0) {
      log_bw += std::log(value.get<double>());
      ++n_bw;
    } else {
      log_md += std::log(value.get<double>());
      ++n_md;
    }
  }
  EXPECT_EQ(n_bw, 4);
  EXPECT_EQ(n_md, 6);
  const double bw = std::exp(log_bw / n_bw), md = std::exp(log_md / n_md);
  EXPECT_NEAR(col["bandwidth_gib_s"].get<double>(), bw, bw * 1e-9);
  EXPECT_NEAR(col["iops_kiops"].get<double>(), md, md * 1e-9);
  EXPECT_NEAR(col["score"].get<double>(), std::sqrt(bw * md), std::sqrt(bw * md) * 1e-9);
}

TEST_F(RunTools, Io500LiteOnALocalDirectoryWithIorsPosixBackend) {
  if (std::string why = IorMissing(false); !why.empty()) GTEST_SKIP() << why;
  Process p = Run({"--clients-per-node", "2", "--io500-backends", "POSIX", "--preset", "io500-lite"});
  ASSERT_EQ(p.Wait(std::chrono::minutes(10)), std::optional<int>(0)) << p.out() << p.err();
  EXPECT_NE(p.out().find("[SCORE ] total"), std::string::npos) << p.out();
  json s = json::parse(ReadFile(Folder() + "/summary.json"));
  EXPECT_EQ(s["schema"], "benchfs.io500-lite/1");
  EXPECT_EQ(s["ranks"], 2);
  ExpectIo500Column(s, "POSIX");
  // The POSIX phases' directory is gone with the run.
  EXPECT_FALSE(std::filesystem::exists(s["posix_dir"].get<std::string>()));
}

TEST_F(RunTools, IorThroughTheRunGetsTheServers) {
  if (std::string why = IorMissing(true); !why.empty()) GTEST_SKIP() << why;
  Process p = Run({"--server-nodes", "2", "--clients-per-node", "2", "--", "ior", "-w", "-r", "-W", "-R", "-C",
                   "-t", "64k", "-b", "1m", "-s", "2"});
  ASSERT_EQ(p.Wait(std::chrono::minutes(10)), std::optional<int>(0)) << p.out() << p.err();
  const std::string dir = Folder();
  json s = json::parse(ReadFile(dir + "/summary.json"));
  EXPECT_EQ(s["schema"], "benchfs.tool-summary/1");
  const json& step = s["steps"]["ior"];
  EXPECT_EQ(step["exit"], 0);
  EXPECT_TRUE(step["errors"].empty()) << step;
  ASSERT_EQ(step["ops"].size(), 2u) << step;
  for (const auto& o : step["ops"]) EXPECT_GT(o["mib_per_s"].get<double>(), 0.0) << o;
  const std::string out = ReadFile(dir + "/ior.out");
  EXPECT_NE(out.find("api                 : BENCHFS"), std::string::npos) << out;
  // The daemons share the host: ranks are not bound to cores they poll on.
  const std::string command = step["command"].dump();
  EXPECT_NE(command.find("\"--bind-to\",\"none\""), std::string::npos) << command;
}

TEST_F(RunTools, IorUnderTheMpirunLauncherFindsTheServersThroughTheRegistry) {
  if (std::string why = IorMissing(true); !why.empty()) GTEST_SKIP() << why;
  std::vector<std::string> args = {"--launcher", "mpirun", "--mpirun-arg=--oversubscribe"};
  if (::geteuid() == 0) args.push_back("--mpirun-arg=--allow-run-as-root");
  for (const char* a : {"--server-nodes", "2", "--clients-per-node", "2", "--", "ior", "-w", "-r", "-W", "-R", "-C",
                        "-t", "64k", "-b", "1m", "-s", "2"}) {
    args.push_back(a);
  }
  Process p = Run(args);
  ASSERT_EQ(p.Wait(std::chrono::minutes(10)), std::optional<int>(0)) << p.out() << p.err();
  const std::string dir = Folder();
  json s = json::parse(ReadFile(dir + "/summary.json"));
  const json& step = s["steps"]["ior"];
  EXPECT_EQ(step["exit"], 0);
  EXPECT_TRUE(step["errors"].empty()) << step;
  EXPECT_EQ(step["ops"].size(), 2u) << step;
  EXPECT_NE(ReadFile(dir + "/ior.out").find("--benchfs.registry=" + dir + "/registry"), std::string::npos);
  // The servers' job ended: both counted in the status, none left running.
  json status = json::parse(ReadFile(dir + "/server-status.json"));
  EXPECT_EQ(status["servers"].size(), 2u);
  Process pgrep({"pgrep", "-f", root_ + "/scratch"});
  pgrep.Wait(10s);
  EXPECT_TRUE(pgrep.out().empty()) << pgrep.out();
}

TEST_F(RunTools, IorOverSshRunsMpirunOnTheFirstClientHost) {
  if (std::string why = IorMissing(true); !why.empty()) GTEST_SKIP() << why;
  // `ssh [options] host command` that runs the command on this host.
  const std::string ssh = root_ + "/ssh";
  std::ofstream(ssh) << "#!/bin/sh\nwhile [ \"${1#-}\" != \"$1\" ]; do shift 2; done\nshift\nexec sh -c \"$*\"\n";
  ::chmod(ssh.c_str(), 0755);
  Process p = Run({"--launcher", "ssh", "--ssh", ssh, "--hosts", "127.0.0.1:127.0.0.1", "--clients-per-node", "2",
                   "--mpirun-arg=--oversubscribe", "--", "ior", "-w", "-r", "-W", "-R", "-C", "-t", "64k", "-b", "1m"});
  ASSERT_EQ(p.Wait(std::chrono::minutes(10)), std::optional<int>(0)) << p.out() << p.err();
  json s = json::parse(ReadFile(Folder() + "/summary.json"));
  const json& step = s["steps"]["ior"];
  EXPECT_EQ(step["exit"], 0);
  EXPECT_EQ(step["ops"].size(), 2u) << step;
  // mpirun was told where the client ranks go.
  const auto& cmd = step["command"];
  EXPECT_NE(std::find(cmd.begin(), cmd.end(), "127.0.0.1:2"), cmd.end()) << cmd;
}

TEST_F(RunTools, AMissingIorOrABadPresetIsNamed) {
  Process missing = Run({"--ior-dir", root_ + "/nowhere", "--", "ior", "-w"});
  EXPECT_EQ(missing.Wait(std::chrono::minutes(1)), std::optional<int>(2));
  EXPECT_NE(missing.err().find("no ior in " + root_ + "/nowhere: build IOR and mdtest with scripts/build-ior"),
            std::string::npos)
      << missing.err();
  Process extra = Run({"--", "io500-lite", "-n", "5"});
  EXPECT_EQ(extra.Wait(std::chrono::minutes(1)), std::optional<int>(2));
  EXPECT_NE(extra.err().find("io500-lite takes no arguments"), std::string::npos) << extra.err();
  Process both = Run({"--preset", "io500-lite", "--", "ior"});
  EXPECT_EQ(both.Wait(std::chrono::minutes(1)), std::optional<int>(2));
  EXPECT_NE(both.err().find("exclude each other"), std::string::npos) << both.err();
}

TEST_F(RunTools, Io500LiteSlowOnBenchfsBesidePosix) {
  if (std::string why = IorMissing(true); !why.empty()) GTEST_SKIP() << why;
  if (std::string m = MissingCalls({"mkdir", "rmdir"}); !m.empty()) GTEST_SKIP() << NeedsNamespace(m);
  Process p = Run({"--server-nodes", "2", "--clients-per-node", "2", "--preset", "io500-lite"});
  ASSERT_EQ(p.Wait(std::chrono::minutes(20)), std::optional<int>(0)) << p.out() << p.err();
  json s = json::parse(ReadFile(Folder() + "/summary.json"));
  ExpectIo500Column(s, "BENCHFS");
  ExpectIo500Column(s, "POSIX");
}

}  // namespace
}  // namespace benchfs

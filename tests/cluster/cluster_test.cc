// cluster-scripts/run as users run it: local, netns, ssh (through a stand-in
// ssh that runs the command here), mpirun and srun-style ranks; the summary,
// perf logs and plots land in the results folder; failures and Ctrl-C stop
// every daemon and keep partial results marked INCOMPLETE; sweeps resume.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/bin/process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;

const std::string kRun = std::string(BENCHFS_SOURCE_DIR) + "/cluster-scripts/run";
const std::string kRankMain = std::string(BENCHFS_SOURCE_DIR) + "/cluster-scripts/rank-main";

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = MakeTempDir("cluster");
    data_ = root_ + "/scratch";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::vector<std::string> Run(std::vector<std::string> args) {
    std::vector<std::string> a = {kRun, "--results", root_ + "/results", "--bin-dir", BENCHFS_BIN_DIR,
                                  "--data-dir", data_};
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }
  // The one results folder the run made.
  std::string Folder() {
    std::string found;
    for (const auto& e : std::filesystem::directory_iterator(root_ + "/results")) found = e.path();
    return found;
  }
  // No benchfsd of this test is still running.
  bool NoDaemonLeft() {
    Process p({"pgrep", "-f", data_});
    p.Wait(10s);
    return p.out().empty();
  }
  std::string root_;
  std::string data_;
};

void ExpectCleanSummary(const std::string& dir, int clients, int servers) {
  EXPECT_FALSE(std::filesystem::exists(dir + "/INCOMPLETE")) << ReadFile(dir + "/INCOMPLETE");
  json run = json::parse(ReadFile(dir + "/run.json"));
  EXPECT_EQ(run["status"], "complete") << run["reason"];
  json s = json::parse(ReadFile(dir + "/summary.json"));
  EXPECT_EQ(s["schema"], "benchfs.cluster-summary/1");
  EXPECT_EQ(s["clients"], clients);
  ASSERT_FALSE(s["ops"].empty());
  for (const auto& o : s["ops"]) {
    EXPECT_EQ(o["errors"], 0) << o;
    EXPECT_EQ(o["clients"], clients) << o;
    EXPECT_GT(o["ops_per_s"].get<double>(), 0.0);
  }
  EXPECT_EQ(s["servers"].size(), static_cast<size_t>(servers));
  for (int i = 0; i < clients; ++i) EXPECT_TRUE(std::filesystem::exists(dir + "/client-" + std::to_string(i) + ".json"));
  for (int i = 0; i < servers; ++i) {
    const std::string perf = ReadFile(dir + "/server-" + std::to_string(i) + ".perf.csv");
    EXPECT_EQ(perf.rfind("elapsed_s,threads", 0), 0u) << "server " << i;
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/summary.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/plots/latency.png"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/plots/latency.svg"));
}

TEST_F(Cluster, LocalTwoServersTwoClientsSpreadTenThousandFiles) {
  Process p(Run({"--launcher", "local", "--label", "spread", "--server-nodes", "2", "--client-nodes", "2", "--",
                 "small", "--ops", "write", "--sizes", "4KiB", "--files", "10000", "-n", "10000", "--warmup",
                 "0"}));
  ASSERT_EQ(p.Wait(600s), std::optional<int>(0)) << p.out() << p.err();
  const std::string dir = Folder();
  ExpectCleanSummary(dir, 2, 2);
  json s = json::parse(ReadFile(dir + "/summary.json"));
  // Jump consistent hashing: the busiest server carries at most 1.2x the mean.
  EXPECT_LE(s["busiest_over_mean"].get<double>(), 1.2) << s["servers"];
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, BaselineGivesFloorsPerRowAndPerServer) {
  Process p(Run({"--launcher", "local", "--label", "floors", "--server-nodes", "2", "--", "small", "--baseline",
                 "-n", "200", "--sizes", "4KiB"}));
  ASSERT_EQ(p.Wait(300s), std::optional<int>(0)) << p.out() << p.err();
  json s = json::parse(ReadFile(Folder() + "/summary.json"));
  for (const json& o : s["ops"]) {
    EXPECT_GT(o["floor_us_median"].get<double>(), 0.0) << o;
    EXPECT_GT(o["ratio_median"].get<double>(), 0.0) << o;
  }
  ASSERT_EQ(s["servers"].size(), 2u);
  for (const json& srv : s["servers"]) {
    ASSERT_TRUE(srv.contains("floors")) << srv;
    EXPECT_GT(srv["floors"]["storage_by_size"]["4096"]["write_p50_us"].get<double>(), 0.0) << srv;
  }
  EXPECT_NE(p.out().find("floors of "), std::string::npos) << p.out();
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, NetnsTwoHostsOverVeth) {
  Process probe({"ip", "netns", "add", "bfsprobe" + std::to_string(getpid() % 10000)});
  if (probe.Wait(10s) != std::optional<int>(0)) {
    GTEST_SKIP() << "cannot create network namespaces here (needs root / CAP_NET_ADMIN): " << probe.err();
  }
  Process cleanup({"ip", "netns", "del", "bfsprobe" + std::to_string(getpid() % 10000)});
  cleanup.Wait(10s);
  Process p(Run({"--launcher", "netns", "--label", "ns", "--ucx-tls", "tcp", "--", "small", "--sizes", "4KiB",
                 "-n", "300", "--verify"}));
  ASSERT_EQ(p.Wait(600s), std::optional<int>(0)) << p.out() << p.err();
  const std::string dir = Folder();
  ExpectCleanSummary(dir, 1, 1);
  json c = json::parse(ReadFile(dir + "/client-0.json"));
  EXPECT_EQ(std::string(c["manifest"]["transport"]).rfind("tcp/bf", 0), 0u) << c["manifest"]["transport"];
  Process left({"sh", "-c", "ip netns list | grep -c '^bfs' || true"});
  left.Wait(10s);
  EXPECT_EQ(left.out(), "0\n") << "namespaces left behind";
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, SshLauncherThroughAStandInSsh) {
  // `ssh [options] host command` that runs the command on this host.
  const std::string ssh = root_ + "/ssh";
  std::ofstream(ssh) << "#!/bin/sh\nwhile [ \"${1#-}\" != \"$1\" ]; do shift 2; done\nshift\nexec sh -c \"$*\"\n";
  ::chmod(ssh.c_str(), 0755);
  Process p(Run({"--launcher", "ssh", "--ssh", ssh, "--hosts", "127.0.0.1:127.0.0.1", "--label", "ssh", "--",
                 "small", "--sizes", "4KiB", "-n", "300"}));
  ASSERT_EQ(p.Wait(600s), std::optional<int>(0)) << p.out() << p.err();
  ExpectCleanSummary(Folder(), 1, 1);
  EXPECT_TRUE(NoDaemonLeft());
}


TEST_F(Cluster, MpirunTwoAndFourRanks) {
  Process which({"sh", "-c", "command -v mpirun"});
  if (which.Wait(10s) != std::optional<int>(0)) GTEST_SKIP() << "mpirun is not installed (scripts/install-deps --with-mpi)";
  for (auto [servers, clients] : {std::pair{1, 1}, std::pair{2, 2}}) {
    std::filesystem::remove_all(root_ + "/results");
    Process p(Run({"--launcher", "mpirun", "--mpirun-arg=--oversubscribe", "--mpirun-arg=--allow-run-as-root",
                   "--label", "mpi", "--server-nodes", std::to_string(servers), "--client-nodes",
                   std::to_string(clients), "--", "small", "--sizes", "4KiB", "-n", "300", "--verify"}));
    ASSERT_EQ(p.Wait(600s), std::optional<int>(0)) << p.out() << p.err();
    ExpectCleanSummary(Folder(), clients, servers);
    EXPECT_TRUE(NoDaemonLeft());
  }
}

TEST_F(Cluster, MpirunWithTheMpiBuild) {
  if (!std::filesystem::exists(std::string(BENCHFS_BIN_DIR) + "/benchfs-mpi")) {
    GTEST_SKIP() << "benchfs-mpi is not built (configure with -DBENCHFS_WITH_MPI=ON)";
  }
  Process p(Run({"--launcher", "mpirun", "--mpi-build", "--mpirun-arg=--oversubscribe",
                 "--mpirun-arg=--allow-run-as-root", "--label", "mpibuild", "--server-nodes", "2", "--client-nodes",
                 "2", "--", "small", "--sizes", "4KiB", "-n", "300", "--verify"}));
  ASSERT_EQ(p.Wait(600s), std::optional<int>(0)) << p.out() << p.err();
  const std::string dir = Folder();
  json run = json::parse(ReadFile(dir + "/run.json"));
  EXPECT_EQ(run["status"], "complete") << run["reason"];
  json s = json::parse(ReadFile(dir + "/summary.json"));
  EXPECT_EQ(s["clients"], 2);
  for (const auto& o : s["ops"]) EXPECT_EQ(o["errors"], 0) << o;
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, SrunStyleRanks) {
  // srun starts every task with SLURM_PROCID / SLURM_NTASKS; rank-main does the rest.
  const std::string res = root_ + "/srun";
  std::filesystem::create_directories(res + "/registry");
  std::vector<std::unique_ptr<Process>> ranks;
  for (int r = 0; r < 2; ++r) {
    ranks.push_back(std::make_unique<Process>(
        std::vector<std::string>{kRankMain, "--servers", "1", "--results", res, "--registry", res + "/registry",
                                 "--bin-dir", BENCHFS_BIN_DIR, "--data-dir", data_, "--", "small", "--sizes", "4KiB",
                                 "-n", "200"},
        std::vector<std::string>{"SLURM_PROCID=" + std::to_string(r), "SLURM_NTASKS=2"}));
  }
  for (auto& r : ranks) EXPECT_EQ(r->Wait(300s), std::optional<int>(0)) << r->err();
  json c = json::parse(ReadFile(res + "/client-0.json"));
  for (const auto& o : c["results"]) EXPECT_EQ(o["errors"], 0);
  EXPECT_TRUE(std::filesystem::exists(res + "/server-status.json"));
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, ServerThatDoesNotComeUpIsNamed) {
  Process p(Run({"--launcher", "local", "--label", "bad", "--daemon-arg=--durability=sometimes", "--", "small",
                 "-n", "100"}));
  ASSERT_EQ(p.Wait(120s), std::optional<int>(1)) << p.out() << p.err();
  EXPECT_NE(p.err().find("benchfsd 0 on local-s0 (127.0.0.1) did not come up"), std::string::npos) << p.err();
  EXPECT_NE(p.err().find("--durability"), std::string::npos) << p.err();
  EXPECT_TRUE(std::filesystem::exists(Folder() + "/INCOMPLETE"));
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, AClientParseErrorIsReportedByItsOwnLine) {
  Process p(Run({"--launcher", "local", "--label", "parsefail", "--", "small", "--no-such-flag"}));
  ASSERT_EQ(p.Wait(120s), std::optional<int>(1)) << p.out() << p.err();
  EXPECT_NE(p.err().find("no-such-flag"), std::string::npos) << p.err();
  EXPECT_EQ(p.err().find("Run with --help"), std::string::npos) << p.err();
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, ClientThatFailsStopsTheDaemonsAndKeepsPartialResults) {
  Process p(Run({"--launcher", "local", "--label", "clientfail", "--server-nodes", "2", "--", "small", "--ops",
                 "create,teleport"}));
  ASSERT_EQ(p.Wait(120s), std::optional<int>(1)) << p.out() << p.err();
  EXPECT_NE(p.err().find("client 0 on local-c0 failed"), std::string::npos) << p.err();
  // The client's own error line, not a generic hint.
  EXPECT_NE(p.err().find("unknown operation 'teleport'"), std::string::npos) << p.err();
  const std::string dir = Folder();
  EXPECT_TRUE(std::filesystem::exists(dir + "/INCOMPLETE"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/server-0.perf.csv"));  // kept
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, CtrlCStopsEverything) {
  Process p(Run({"--launcher", "local", "--label", "interrupt", "--", "small", "--ops", "stat", "--duration",
                 "60s"}));
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    auto line = p.ReadLine(1s);
    running = line && line->find("clients running") != std::string::npos;
  }
  ASSERT_TRUE(running) << p.err();
  std::this_thread::sleep_for(1s);
  p.Kill(SIGINT);
  ASSERT_EQ(p.Wait(120s), std::optional<int>(130)) << p.err();
  const std::string dir = Folder();
  EXPECT_NE(ReadFile(dir + "/INCOMPLETE").find("interrupted"), std::string::npos);
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, SweepRunsEveryPointAndResumes) {
  const std::string params = root_ + "/sweep.toml";
  std::ofstream(params) << "[sweep]\nqd = [1, 2]\ntimeouts = [[\"0\", \"0\"], [\"50ms\", \"100ms\"]]\n";
  Process p(Run({"--launcher", "local", "--label", "sweep", "--params", params, "--", "small", "--ops", "stat",
                 "-n", "200"}));
  ASSERT_EQ(p.Wait(600s), std::optional<int>(0)) << p.out() << p.err();
  const std::string dir = Folder();
  const std::string csv = ReadFile(dir + "/sweep.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5) << csv;  // header + 4 points x 1 op
  Process again(Run({"--launcher", "local", "--label", "sweep", "--params", params, "--resume", dir, "--", "small",
                     "--ops", "stat", "-n", "200"}));
  ASSERT_EQ(again.Wait(120s), std::optional<int>(0)) << again.err();
  size_t skipped = 0;
  for (size_t at = 0; (at = again.out().find("skipping finished point", at)) != std::string::npos; ++at) ++skipped;
  EXPECT_EQ(skipped, 4u) << again.out();
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, BadRunDescriptionsAreNamed) {
  Process p(Run({"--launcher", "ssh", "--", "small"}));
  EXPECT_EQ(p.Wait(30s), std::optional<int>(2));
  EXPECT_NE(p.err().find("ssh launcher needs"), std::string::npos) << p.err();
  std::ofstream(root_ + "/bad.toml") << "lable = \"x\"\n";
  Process q(Run({"--config", root_ + "/bad.toml"}));
  EXPECT_EQ(q.Wait(30s), std::optional<int>(2));
  EXPECT_NE(q.err().find("unknown key 'lable'"), std::string::npos) << q.err();
  Process r(Run({"--launcher", "local", "--", "small", "--json", "x.json"}));
  EXPECT_EQ(r.Wait(30s), std::optional<int>(2));
  EXPECT_NE(r.err().find("--json and --start-at are set by the launcher"), std::string::npos) << r.err();
}

}  // namespace
}  // namespace benchfs

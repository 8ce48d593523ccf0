// SPDX-License-Identifier: BSD-3-Clause
// cluster-scripts/run as users run it: local, netns, ssh (through a stand-in
// ssh that runs the command here), mpirun and srun-style ranks; the summary,
// perf logs and plots land in the results folder; failures and Ctrl-C stop
// every daemon and keep partial results marked INCOMPLETE; sweeps resume.
// Scale rehearsals: 8 daemons with many clients (32 by default, 128 in the
// slow run) report their set-up time, daemon memory and shares with no
// error; daemons stopped (SIGSTOP) before and during a run are named with
// what they cost, and the run still ends within its deadlines.
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

int EnvCount(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

TEST_F(Cluster, RehearsalEightDaemonsManyClients) {
  const int clients = EnvCount("BENCHFS_REHEARSAL_CLIENTS", 32);
  Process p(Run({"--launcher", "local", "--label", "rehearsal", "--server-nodes", "8", "--client-nodes",
                 std::to_string(clients), "--ucx-tls", "tcp", "--", "small", "-n", "100", "--sizes", "4KiB",
                 "--warmup", "10", "--files", "32"}));
  ASSERT_EQ(p.Wait(900s), std::optional<int>(0)) << p.out() << p.err();
  const std::string dir = Folder();
  ExpectCleanSummary(dir, clients, 8);
  json s = json::parse(ReadFile(dir + "/summary.json"));
  EXPECT_EQ(s["errors"], 0);
  EXPECT_TRUE(s["excluded_servers"].empty()) << s["excluded_servers"];
  // Set-up: every client connected to every server, measured from launch.
  const json& setup = s["setup"];
  ASSERT_TRUE(setup.contains("all_connected_s")) << setup;
  EXPECT_GT(setup["all_connected_s"].get<double>(), 0.0);
  EXPECT_LE(setup["connect_s_max"].get<double>(), setup["all_connected_s"].get<double>());
  EXPECT_GT(s["clients_run_s"].get<double>(), setup["all_connected_s"].get<double>());
  double share = 0;
  for (const json& srv : s["servers"]) {
    EXPECT_GT(srv["rss_before_bytes"].get<double>(), 0.0) << srv;
    EXPECT_GE(srv["rss_peak_bytes"].get<double>(), srv["rss_before_bytes"].get<double>()) << srv;
    EXPECT_GE(srv["threads_peak"].get<int>(), 2) << srv;
    EXPECT_EQ(srv["failed_calls"], 0) << srv;
    EXPECT_GT(srv["client_share"].get<double>(), 0.0) << srv;
    share += srv["client_share"].get<double>();
  }
  EXPECT_NEAR(share, 1.0, 1e-6);
  EXPECT_NE(p.out().find("set-up: every client connected to every server"), std::string::npos) << p.out();
  std::printf("%d clients x 8 daemons: all connected %.2f s after launch (spawning them %.2f s), clients ran "
              "%.1f s, memory per connected client %.1f KiB\n",
              clients, setup["all_connected_s"].get<double>(), setup.value("spawn_s", 0.0),
              s["clients_run_s"].get<double>(), s.value("rss_per_client_bytes", 0.0) / 1024);
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, StoppedDaemonsAreNamedAndTheRunEndsWithinItsDeadlines) {
  // One daemon stopped before the clients start, another 1 s into the run.
  const int clients = EnvCount("BENCHFS_STOPPED_CLIENTS", 4);
  const int servers = clients >= 8 ? 8 : 4;
  constexpr double kConnect = 2, kCall = 2, kOpSeconds = 2;
  const auto begin = std::chrono::steady_clock::now();
  Process p(Run({"--launcher", "local", "--label", "stopped", "--server-nodes", std::to_string(servers),
                 "--client-nodes", std::to_string(clients), "--ucx-tls", "tcp", "--stop-server", "1",
                 "--stop-server", "2:1", "--client-arg=--connect-timeout=2s", "--client-arg=--timeout=2s", "--",
                 "small", "--ops", "create,stat,write", "--sizes", "4KiB", "--duration", "2s", "--warmup", "10",
                 "--files", "32"}));
  ASSERT_EQ(p.Wait(600s), std::optional<int>(1)) << p.out() << p.err();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const std::string dir = Folder();
  // Named, with the reason, on stderr, in run.json and INCOMPLETE.
  EXPECT_NE(p.err().find("benchfsd 1 (127.0.0.1:"), std::string::npos) << p.err();
  EXPECT_NE(p.err().find("SIGSTOPped before the clients started"), std::string::npos) << p.err();
  EXPECT_NE(p.err().find("benchfsd 2 (127.0.0.1:"), std::string::npos) << p.err();
  EXPECT_NE(p.err().find("SIGSTOPped 1 s after the clients started"), std::string::npos) << p.err();
  EXPECT_NE(ReadFile(dir + "/INCOMPLETE").find("stopped answering"), std::string::npos);
  json run = json::parse(ReadFile(dir + "/run.json"));
  EXPECT_EQ(run["status"], "incomplete");
  ASSERT_EQ(run["clients"].size(), static_cast<size_t>(clients));
  for (const json& c : run["clients"]) EXPECT_EQ(c["exit"], 3) << c;  // finished, counting errors
  json s = json::parse(ReadFile(dir + "/summary.json"));
  ASSERT_EQ(s["excluded_servers"].size(), 2u) << s["excluded_servers"];
  for (const json& b : s["excluded_servers"]) {
    EXPECT_TRUE(b["index"] == 1 || b["index"] == 2) << b;
    EXPECT_EQ(b["excluded_by"], clients) << b;
    EXPECT_GT(b["failed"].get<int>(), 0) << b;
    EXPECT_GT(b["calls_share"].get<double>(), 0.0) << b;
  }
  EXPECT_GT(s["errors"].get<int>(), 0);
  // Each client paid each deadline at most once: the connection to the
  // daemon stopped first, then one call per client to the other (qd 1);
  // every later call to either failed at once.
  for (int i = 0; i < clients; ++i) {
    json c = json::parse(ReadFile(dir + "/client-" + std::to_string(i) + ".json"));
    const json& per = c["setup"]["per_server"];
    ASSERT_EQ(per.size(), static_cast<size_t>(servers));
    EXPECT_TRUE(per[1]["excluded"].get<bool>()) << per[1];
    EXPECT_LE(per[1]["connect_s"].get<double>(), kConnect + 1) << per[1];
    EXPECT_EQ(per[1]["failed"], per[1]["excluded_calls"]) << per[1];
    EXPECT_TRUE(per[2]["excluded"].get<bool>()) << per[2];
    EXPECT_LE(per[2]["failed"].get<int>() - per[2]["excluded_calls"].get<int>(), 1) << per[2];
    EXPECT_FALSE(per[0]["excluded"].get<bool>()) << per[0];
  }
  // The run ends within its deadlines + 5 s: the start delay, one connect
  // and one call deadline, the timed operations (3 x 2 s, and the deletes of
  // what create made, ~2 s) and 5 s for launching and gathering.
  const double bound = s["setup"]["start_delay_s"].get<double>() + kConnect + kCall + 4 * kOpSeconds + 5;
  EXPECT_LE(s["clients_run_s"].get<double>(), bound) << "clients ran " << s["clients_run_s"];
  std::printf("%d clients x %d daemons, 2 stopped: clients ran %.1f s (bound %.1f s), whole run %.1f s\n", clients,
              servers, s["clients_run_s"].get<double>(), bound, wall);
  EXPECT_TRUE(NoDaemonLeft());
}

TEST_F(Cluster, BadStopServerIsRefused) {
  Process p(Run({"--launcher", "local", "--server-nodes", "2", "--stop-server", "5", "--", "small"}));
  EXPECT_EQ(p.Wait(30s), std::optional<int>(2));
  EXPECT_NE(p.err().find("--stop-server '5': server 5 does not exist (0..1)"), std::string::npos) << p.err();
  Process q(Run({"--launcher", "local", "--stop-server", "0:soon", "--", "small"}));
  EXPECT_EQ(q.Wait(30s), std::optional<int>(2));
  EXPECT_NE(q.err().find("expected N or N:start or N:SECONDS"), std::string::npos) << q.err();
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

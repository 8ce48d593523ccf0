// SPDX-License-Identifier: BSD-3-Clause
// Two processes on one host: benchfsd and the benchfs client, over UCX tcp
// (host:port) and over shared memory (registry). The client reads back what
// it wrote (--verify compares every byte), the JSON result follows the
// benchfs.result/2 contract, and put/get round-trip a file's checksum.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service/readiness.h"
#include "tests/bin/process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;

class Loopback : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("loopback");
    std::filesystem::create_directories(dir_ + "/registry");
    daemon_ = std::make_unique<Process>(testing::WithPrivilegeFlags(
        {BENCHFSD_BIN, "--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--registry-dir",
         dir_ + "/registry", "--registry-name", "s0", "--log-level", "warn"}));
    auto line = daemon_->ReadLine();
    ASSERT_TRUE(line.has_value()) << daemon_->err();
    addr_ = ParseReadyLine(*line).value_or("");
  }
  void TearDown() override {
    if (daemon_) {
      daemon_->Kill(SIGTERM);
      EXPECT_EQ(daemon_->Wait(30s), std::optional<int>(0)) << daemon_->err();
    }
    std::filesystem::remove_all(dir_);
  }
  // Server selection and transport for the parameter.
  std::vector<std::string> Client(std::vector<std::string> args) {
    std::vector<std::string> a = {BENCHFS_BIN};
    if (GetParam() == "tcp") {
      a.insert(a.end(), {"-s", addr_, "--ucx-tls", "tcp"});
    } else {
      a.insert(a.end(), {"--registry", dir_ + "/registry", "--ucx-tls", "shm"});
    }
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }
  std::string dir_;
  std::string addr_;
  std::unique_ptr<Process> daemon_;
};

TEST_P(Loopback, BenchSmallVerifiesDataAndWritesTheJsonContract) {
  const std::string out = dir_ + "/r.json";
  Process c(Client({"bench", "small", "-n", "300", "--warmup", "20", "--files", "50", "--verify", "--baseline",
                    "--json", out, "--csv", dir_ + "/r.csv"}));
  ASSERT_EQ(c.Wait(300s), std::optional<int>(0)) << c.out() << c.err();
  json j = json::parse(ReadFile(out));
  EXPECT_EQ(j["schema"], "benchfs.result/2");
  const json& m = j["manifest"];
  for (const char* k : {"version", "git", "host", "kernel", "transport", "backend", "durability", "chunk_size",
                        "reactor", "qd", "rate", "started_at"}) {
    EXPECT_TRUE(m.contains(k)) << k;
  }
  EXPECT_EQ(m["backend"], "uring");
  EXPECT_EQ(m["durability"], "none");
  const std::string transport = m["transport"];
  if (GetParam() == "tcp") {
    EXPECT_NE(transport.find("tcp"), std::string::npos) << transport;
  } else {
    EXPECT_TRUE(transport.find("posix") != std::string::npos || transport.find("sysv") != std::string::npos)
        << transport;
  }
  std::map<std::string, int> seen;
  for (const json& r : j["results"]) {
    ++seen[r["op"].get<std::string>()];
    // --baseline repeats in 3 interleaved rounds: 300 each.
    EXPECT_EQ(r["rounds"], 3) << r;
    EXPECT_EQ(r["count"], 900) << r;
    EXPECT_EQ(r["round_figures"].size(), 3u) << r;
    EXPECT_EQ(r["errors"], 0) << r;
    EXPECT_GT(r["p50_us"].get<double>(), 0.0);
    EXPECT_LE(r["p50_us"].get<double>(), r["p99_us"].get<double>());
    EXPECT_LE(r["p99_us"].get<double>(), r["max_us"].get<double>() * 1.01);
    EXPECT_TRUE(r.contains("floor_us")) << r;
  }
  EXPECT_EQ(seen["create"], 1);
  EXPECT_EQ(seen["stat"], 1);
  EXPECT_EQ(seen["delete"], 1);
  EXPECT_EQ(seen["write"], 3);  // 1, 4 and 16 KiB
  EXPECT_EQ(seen["read"], 3);
  EXPECT_GT(j["baseline"]["ucx_rtt_p50_us"].get<double>(), 0.0);
  EXPECT_GT(j["baseline"]["storage_write_p50_us"].get<double>(), 0.0);
  const std::string csv = ReadFile(dir_ + "/r.csv");
  EXPECT_EQ(csv.rfind("op,size,qd,count,errors,p50_us", 0), 0u);
}

TEST_P(Loopback, PutGetRoundTripsAChecksum) {
  Process put(Client({"put", "/data/file", "--size", "9000000"}));
  ASSERT_EQ(put.Wait(60s), std::optional<int>(0)) << put.err();
  Process get(Client({"get", "/data/file"}));
  ASSERT_EQ(get.Wait(60s), std::optional<int>(0)) << get.err();
  ASSERT_FALSE(put.out().empty());
  EXPECT_EQ(put.out(), get.out());  // "/data/file: 9000000 bytes, xxh3 ..."
  Process stat(Client({"stat", "/data/file"}));
  ASSERT_EQ(stat.Wait(30s), std::optional<int>(0));
  EXPECT_NE(stat.out().find("9000000 bytes"), std::string::npos) << stat.out();
  Process rm(Client({"rm", "/data/file"}));
  ASSERT_EQ(rm.Wait(30s), std::optional<int>(0));
  Process gone(Client({"stat", "/data/file"}));
  EXPECT_EQ(gone.Wait(30s), std::optional<int>(1));
  EXPECT_NE(gone.err().find("/data/file"), std::string::npos) << gone.err();
}

TEST_P(Loopback, OpenLoopAndQueueDepth) {
  Process c(Client({"bench", "small", "--ops", "write,read", "--sizes", "4KiB", "--qd", "8", "-n", "2000",
                    "--json", dir_ + "/qd.json"}));
  ASSERT_EQ(c.Wait(300s), std::optional<int>(0)) << c.err();
  json j = json::parse(ReadFile(dir_ + "/qd.json"));
  EXPECT_EQ(j["manifest"]["qd"], 8);
  for (const json& r : j["results"]) EXPECT_EQ(r["errors"], 0);
  Process o(Client({"bench", "small", "--ops", "stat", "--rate", "2000", "--duration", "1s", "--json",
                    dir_ + "/rate.json"}));
  ASSERT_EQ(o.Wait(300s), std::optional<int>(0)) << o.err();
  json k = json::parse(ReadFile(dir_ + "/rate.json"));
  EXPECT_EQ(k["manifest"]["rate"], 2000.0);
}

TEST_P(Loopback, MixedAlternatesWritesAndReads) {
  Process c(Client({"bench", "small", "--ops", "mixed", "--sizes", "4KiB", "--qd", "16", "-n", "2000", "--warmup",
                    "100", "--files", "50", "--verify", "--json", dir_ + "/mixed.json"}));
  ASSERT_EQ(c.Wait(300s), std::optional<int>(0)) << c.err();
  json j = json::parse(ReadFile(dir_ + "/mixed.json"));
  ASSERT_EQ(j["results"].size(), 1u) << j["results"];
  const json& r = j["results"][0];
  EXPECT_EQ(r["op"], "mixed");
  EXPECT_EQ(r["size"], 4096);
  EXPECT_EQ(r["count"], 2000);
  EXPECT_EQ(r["errors"], 0);
  // The server saw the 50 unmeasured first writes, then 2100 operations
  // (warm-up included), half writes and half reads.
  Process s(Client({"status", "--json", dir_ + "/status.json"}));
  ASSERT_EQ(s.Wait(60s), std::optional<int>(0)) << s.err();
  const json counters = json::parse(ReadFile(dir_ + "/status.json"))["servers"][0]["counters"];
  EXPECT_EQ(counters["op.write_chunk"], 50 + 1050) << counters;
  EXPECT_EQ(counters["op.read_chunk"], 1050) << counters;
}

INSTANTIATE_TEST_SUITE_P(Transport, Loopback, ::testing::Values("tcp", "shm"),
                         [](const auto& info) { return info.param; });

TEST(BenchfsCli, BadArgumentsAreNamed) {
  Process a({BENCHFS_BIN, "-s", "127.0.0.1:1", "bench", "small", "--sizes", "4XB"});
  EXPECT_EQ(a.Wait(30s), std::optional<int>(2));
  EXPECT_NE(a.err().find("--sizes"), std::string::npos) << a.err();
  Process b({BENCHFS_BIN, "-s", "127.0.0.1:1", "bench", "small", "--ops", "create,rename"});
  EXPECT_EQ(b.Wait(30s), std::optional<int>(2));
  EXPECT_NE(b.err().find("rename"), std::string::npos) << b.err();
  Process c({BENCHFS_BIN, "bench", "small"});
  EXPECT_EQ(c.Wait(30s), std::optional<int>(1));
  EXPECT_NE(c.err().find("no server given"), std::string::npos) << c.err();
  Process d({BENCHFS_BIN, "-s", "127.0.0.1:1", "--connect-timeout", "1s", "status"});
  EXPECT_EQ(d.Wait(30s), std::optional<int>(1));
  EXPECT_NE(d.err().find("127.0.0.1:1"), std::string::npos) << d.err();
}

}  // namespace
}  // namespace benchfs

// Two hosts: benchfsd in one network namespace and the client in another,
// joined by a veth pair, talking UCX tcp over it. The client writes, reads
// back and verifies every byte. Where network namespaces cannot be created
// (no CAP_NET_ADMIN), the test is skipped and says why.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/bin/process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::ReadFile;
using testing::TempDir;

int Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// Two namespaces and a veth pair between them, removed on destruction.
class TwoHosts {
 public:
  TwoHosts() {
    const std::string id = std::to_string(getpid() % 100000);
    server_ns = "bfs-s" + id;
    client_ns = "bfs-c" + id;
    server_dev = "vs" + id;
    client_dev = "vc" + id;
    const int subnet = 10 + getpid() % 200;
    server_ip = "10.213." + std::to_string(subnet) + ".1";
    client_ip = "10.213." + std::to_string(subnet) + ".2";
    if (Sh("ip netns add " + server_ns) != 0) {
      why = "cannot create network namespaces here (ip netns add failed: needs root / CAP_NET_ADMIN)";
      return;
    }
    created_ = true;
    const bool ok =
        Sh("ip netns add " + client_ns) == 0 &&
        Sh("ip link add " + server_dev + " type veth peer name " + client_dev) == 0 &&
        Sh("ip link set " + server_dev + " netns " + server_ns) == 0 &&
        Sh("ip link set " + client_dev + " netns " + client_ns) == 0 &&
        Sh("ip -n " + server_ns + " addr add " + server_ip + "/24 dev " + server_dev) == 0 &&
        Sh("ip -n " + client_ns + " addr add " + client_ip + "/24 dev " + client_dev) == 0 &&
        Sh("ip -n " + server_ns + " link set " + server_dev + " up") == 0 &&
        Sh("ip -n " + client_ns + " link set " + client_dev + " up") == 0 &&
        Sh("ip -n " + server_ns + " link set lo up") == 0 && Sh("ip -n " + client_ns + " link set lo up") == 0;
    if (!ok) why = "could not build the veth pair between the namespaces (ip link failed)";
  }
  ~TwoHosts() {
    if (!created_) return;
    Sh("ip netns del " + server_ns);
    Sh("ip netns del " + client_ns);
  }
  bool ok() const { return why.empty(); }

  std::string why;
  std::string server_ns, client_ns, server_dev, client_dev, server_ip, client_ip;

 private:
  bool created_ = false;
};

TEST(TwoHosts, BenchSmallOverVethWithVerifiedData) {
  TwoHosts net;
  if (!net.ok()) GTEST_SKIP() << net.why;
  const std::string dir = TempDir("netns");
  Process daemon(testing::WithPrivilegeFlags({BENCHFSD_BIN, "--listen", net.server_ip + ":0", "--data-dir",
                                              dir + "/data", "--ucx-tls", "tcp", "--log-level", "warn"}),
                 {"UCX_NET_DEVICES=" + net.server_dev}, {"ip", "netns", "exec", net.server_ns});
  auto line = daemon.ReadLine();
  ASSERT_TRUE(line.has_value()) << daemon.err();
  const std::string addr = line->substr(std::string("benchfsd ready on ").size());
  EXPECT_EQ(addr.rfind(net.server_ip + ":", 0), 0u) << addr;
  Process client({BENCHFS_BIN, "-s", addr, "--ucx-tls", "tcp", "bench", "small", "-n", "300", "--warmup", "20",
                  "--files", "50", "--verify", "--baseline", "--data-dir", dir, "--json", dir + "/r.json"},
                 {"UCX_NET_DEVICES=" + net.client_dev}, {"ip", "netns", "exec", net.client_ns});
  ASSERT_EQ(client.Wait(300s), std::optional<int>(0)) << client.out() << client.err();
  auto j = nlohmann::json::parse(ReadFile(dir + "/r.json"));
  const std::string transport = j["manifest"]["transport"];
  EXPECT_NE(transport.find("tcp/" + net.client_dev), std::string::npos) << transport;
  for (const auto& r : j["results"]) {
    EXPECT_EQ(r["errors"], 0) << r;
    EXPECT_EQ(r["count"], 300) << r;
  }
  std::printf("%s", client.out().c_str());
  daemon.Kill(SIGTERM);
  EXPECT_EQ(daemon.Wait(30s), std::optional<int>(0)) << daemon.err();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

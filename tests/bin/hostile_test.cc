// SPDX-License-Identifier: BSD-3-Clause
// benchfsd against a hostile network and hostile signals, as the real binary:
// garbage, truncated and oversized frames, half-open and slow connections on
// every TCP port the daemon listens on (found with `ss`, UCX's own ports
// included), with and without a token; SIGSTOP/SIGCONT while idle and under
// load; a default daemon listens on loopback only. After each, the daemon
// must still be alive and serve.
//
// BENCHFS_HOSTILE_CONNECTIONS and BENCHFS_HOSTILE_PAUSES scale the two long
// cases (the `slow` variant of this binary sets them higher).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "rpc/bootstrap.h"
#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;

uint64_t EnvCount(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Listening {
  std::string ip;
  uint16_t port = 0;
};

// The daemon's listening TCP sockets, as `ss` shows them.
std::vector<Listening> ListeningOf(pid_t pid) {
  Process ss({"ss", "-ltnpH"});
  ss.Wait(10s);
  std::vector<Listening> out;
  std::stringstream in(ss.out());
  std::string line;
  const std::string tag = "pid=" + std::to_string(pid) + ",";
  while (std::getline(in, line)) {
    if (line.find(tag) == std::string::npos) continue;
    std::stringstream f(line);
    std::string state, recvq, sendq, local;
    f >> state >> recvq >> sendq >> local;
    const auto colon = local.rfind(':');
    Listening l;
    l.ip = local.substr(0, colon);
    if (l.ip.size() > 1 && l.ip.front() == '[') l.ip = l.ip.substr(1, l.ip.size() - 2);
    l.port = static_cast<uint16_t>(std::stoul(local.substr(colon + 1)));
    out.push_back(l);
  }
  return out;
}

int Dial(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void SendAndClose(uint16_t port, const std::string& bytes) {
  int fd = Dial(port);
  if (fd < 0) return;
  if (!bytes.empty()) (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::close(fd);
}

std::string AsString(const std::vector<std::byte>& v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size()); }

// The frames a hostile peer sends: UCX's own abort reproducer, random bytes
// of every size, a valid bootstrap header with absurd lengths, truncated
// valid frames, and valid frames followed by junk.
std::vector<std::string> HostileFrames(std::mt19937_64& rng) {
  std::vector<std::string> frames;
  frames.push_back(std::string(8, '\xff') + std::string(56, '\0'));  // aborted UCX 1.13's ucp_listener
  frames.push_back(std::string(64, '\0'));
  std::string huge = AsString(EncodeBootstrapRequest(""));
  huge[12] = huge[13] = huge[14] = huge[15] = '\xff';
  frames.push_back(huge);
  const std::string valid = AsString(EncodeBootstrapRequest("token"));
  for (size_t cut = 1; cut < valid.size(); cut += 3) frames.push_back(valid.substr(0, cut));
  frames.push_back(valid + std::string(1000, 'x'));
  std::string bad_version = valid;
  bad_version[8] = '\x7f';
  frames.push_back(bad_version);
  for (int i = 0; i < 40; ++i) {
    std::string r(std::uniform_int_distribution<size_t>(1, 9000)(rng), '\0');
    for (char& c : r) c = static_cast<char>(rng());
    frames.push_back(r);
  }
  return frames;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("hostile"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> Flags(std::vector<std::string> extra = {}) {
    std::vector<std::string> f = {"--listen", "127.0.0.1:0", "--data-dir", dir_ + "/data", "--log-level", "error"};
    f.insert(f.end(), extra.begin(), extra.end());
    return f;
  }
  std::string TokenFile() {
    const std::string path = dir_ + "/token";
    std::ofstream(path) << "hostile-test-token\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return path;
  }
  // Sends `total` hostile connections spread over `ports`, with a few
  // half-open and slow ones held open meanwhile; returns how many were sent.
  uint64_t Attack(DaemonProcess& d, const std::vector<Listening>& ports, uint64_t total) {
    std::mt19937_64 rng(42);
    const std::vector<std::string> frames = HostileFrames(rng);
    // Half-open: connected, silent, held for the whole attack.
    std::vector<int> held;
    for (const Listening& l : ports) {
      for (int i = 0; i < 8; ++i) {
        int fd = Dial(l.port);
        if (fd >= 0) held.push_back(fd);
      }
    }
    // Slow loris: one byte of a valid request every 50 ms.
    std::thread loris([&] {
      const std::string valid = AsString(EncodeBootstrapRequest(""));
      for (const Listening& l : ports) {
        int fd = Dial(l.port);
        if (fd < 0) continue;
        for (char c : valid) {
          if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) break;
          std::this_thread::sleep_for(50ms);
        }
        ::close(fd);
      }
    });
    uint64_t sent = 0;
    for (uint64_t i = 0; sent < total; ++i) {
      for (const Listening& l : ports) {
        SendAndClose(l.port, frames[i % frames.size()]);
        ++sent;
      }
      if (i % 500 == 0) d.process().Wait(1ms);  // keep its output pipes drained
    }
    loris.join();
    for (int fd : held) ::close(fd);
    return sent;
  }
  std::string dir_;
};

TEST_F(Hostile, GarbageOnEveryPortNeitherKillsNorWedgesTheDaemon) {
  const uint64_t total = EnvCount("BENCHFS_HOSTILE_CONNECTIONS", 10000);
  for (bool with_token : {false, true}) {
    SCOPED_TRACE(with_token ? "with a token" : "without a token");
    std::vector<std::string> extra;
    std::vector<std::string> client;
    if (with_token) {
      extra = {"--token-file", TokenFile()};
      client = {"--token-file", dir_ + "/token"};
    }
    DaemonProcess d(Flags(extra));
    ASSERT_TRUE(d.ok()) << d.Errors();
    const std::vector<Listening> ports = ListeningOf(d.process().pid());
    ASSERT_GE(ports.size(), 1u) << "ss found no listening socket of the daemon";
    const uint64_t sent = Attack(d, ports, with_token ? total / 4 : total);
    std::printf("[ hostile ] %llu connections over %zu ports%s\n", static_cast<unsigned long long>(sent),
                ports.size(), with_token ? " (token)" : "");
    ASSERT_EQ(d.process().Wait(200ms), std::nullopt) << "the daemon died: " << d.Errors();
    auto kv = d.Status(client);
    ASSERT_FALSE(kv.empty()) << "the daemon no longer answers STATUS: " << d.Errors();
    EXPECT_GT(kv["bootstrap_rejected"] + kv["bootstrap_shed"], 0u);
    EXPECT_EQ(kv["inflight"], 1u);  // the STATUS itself
    // And it still serves data.
    std::vector<std::string> args = {BENCHFS_BIN, "-s", d.address()};
    args.insert(args.end(), client.begin(), client.end());
    args.insert(args.end(), {"put", "/after-garbage", "--size", "100000"});
    Process p(args);
    EXPECT_EQ(p.Wait(30s), std::optional<int>(0)) << p.err();
  }
}

TEST_F(Hostile, DefaultDaemonListensOnLoopbackOnly) {
  DaemonProcess d(Flags());
  ASSERT_TRUE(d.ok()) << d.Errors();
  const std::vector<Listening> ports = ListeningOf(d.process().pid());
  ASSERT_GE(ports.size(), 1u);
  for (const Listening& l : ports) {
    in_addr a{};
    const bool v4 = inet_pton(AF_INET, l.ip.c_str(), &a) == 1;
    EXPECT_TRUE((v4 && (ntohl(a.s_addr) >> 24) == 127) || l.ip == "::1")
        << "the daemon listens on " << l.ip << ":" << l.port << " although told 127.0.0.1";
  }
  // STATUS says the same.
  auto kv = d.Status();
  size_t listed = 0;
  for (const auto& [k, v] : kv) listed += k.rfind("listen.127.", 0) == 0;
  EXPECT_EQ(listed, ports.size());
  EXPECT_EQ(kv.count("net_devices.lo"), 1u);
}

// Pauses the daemon `cycles` times while `clients` benchmark it; the daemon
// must come back every time and the clients finish.
void PauseUnderLoad(const std::string& dir, uint64_t cycles, int clients) {
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir + "/data", "--log-level", "error"});
  ASSERT_TRUE(d.ok()) << d.Errors();
  std::vector<std::unique_ptr<Process>> load;
  for (int i = 0; i < clients; ++i) {
    load.push_back(std::make_unique<Process>(std::vector<std::string>{
        BENCHFS_BIN, "-s", d.address(), "--timeout", "30s", "bench", "small", "--ops", "write",
        "--sizes", "4KiB", "--files", "16", "--duration", "600s", "--warmup", "10"}));
  }
  std::this_thread::sleep_for(500ms);
  std::mt19937_64 rng(7);
  for (uint64_t i = 0; i < cycles; ++i) {
    ::kill(d.process().pid(), SIGSTOP);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 120)(rng)));
    ::kill(d.process().pid(), SIGCONT);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 60)(rng)));
    d.process().Wait(1ms);
    ASSERT_EQ(d.process().Wait(1ms), std::nullopt) << "the daemon died in pause " << i << ": " << d.Errors();
  }
  for (auto& c : load) {
    EXPECT_EQ(c->Wait(1ms), std::nullopt) << "a client ended during the pauses: " << c->err();
    c->Kill(SIGINT);
  }
  for (auto& c : load) {
    auto rc = c->Wait(60s);
    EXPECT_TRUE(rc.has_value()) << "a client did not stop";
    c->Kill(SIGKILL);
  }
  auto kv = d.Status();
  ASSERT_FALSE(kv.empty()) << "the daemon no longer answers after " << cycles << " pauses: " << d.Errors();
  EXPECT_GT(kv["op.write_chunk"], 0u);
}

TEST_F(Hostile, PauseAndResumeWhileIdleWithAClientTimingOut) {
  DaemonProcess d(Flags());
  ASSERT_TRUE(d.ok()) << d.Errors();
  for (int i = 0; i < 3; ++i) {
    ::kill(d.process().pid(), SIGSTOP);
    Process c({BENCHFS_BIN, "-s", d.address(), "--connect-timeout", "1s", "--timeout", "1s", "status"});
    EXPECT_NE(c.Wait(30s), std::optional<int>(0)) << "STATUS of a stopped daemon succeeded";
    ::kill(d.process().pid(), SIGCONT);
    auto kv = d.Status();
    ASSERT_FALSE(kv.empty()) << "no answer after SIGCONT " << i << ": " << d.Errors();
  }
}

TEST_F(Hostile, APausedClientDoesNotStopTheDaemonServingOthers) {
  DaemonProcess d(Flags());
  ASSERT_TRUE(d.ok()) << d.Errors();
  Process c({BENCHFS_BIN, "-s", d.address(), "bench", "small", "--ops", "write", "--sizes", "4KiB", "--files", "16",
             "--qd", "4", "--duration", "3s"});
  std::this_thread::sleep_for(500ms);
  ::kill(c.pid(), SIGSTOP);
  std::this_thread::sleep_for(300ms);
  auto kv = d.Status();  // another client, while the first is stopped mid-run
  EXPECT_FALSE(kv.empty()) << d.Errors();
  EXPECT_EQ(kv["connections"], 2u);
  std::this_thread::sleep_for(1s);
  ::kill(c.pid(), SIGCONT);
  EXPECT_EQ(c.Wait(60s), std::optional<int>(0)) << c.err();
  EXPECT_FALSE(d.Status().empty()) << d.Errors();
}

TEST_F(Hostile, PauseAndResumeUnderLoad) {
  PauseUnderLoad(dir_, EnvCount("BENCHFS_HOSTILE_PAUSES", 10), 4);
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Fault matrix, server side: benchfsd killed with SIGKILL while 32 writers
// create files and write chunks under durability `fsync`. What the user
// sees: every call in flight fails with UNAVAILABLE or TIMED_OUT naming the
// server, within its deadline (+1 s), and nothing hangs. After a restart on
// the same data dir the metadata log replays, and every acknowledged create
// and write is there, byte for byte.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/bin/client_session.h"
#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientSession;
using testing::DaemonProcess;
using testing::FillPattern;
using testing::MakeTempDir;

constexpr size_t kChunk = 4096;
constexpr int kWriters = 32;

std::string PathOf(int writer, uint64_t i) {
  return "/acked/w" + std::to_string(writer) + "/f" + std::to_string(i);
}

TEST(ServerKilled, AcknowledgedWritesSurviveAndCallsFailWithinTheirDeadline) {
  const std::string dir = MakeTempDir("server-killed");
  const std::vector<std::string> flags = {"--listen", "127.0.0.1:0", "--data-dir", dir + "/data", "--durability",
                                          "fsync", "--log-level", "info"};
  auto first = std::make_unique<DaemonProcess>(flags);
  ASSERT_TRUE(first->ok()) << first->Output() << first->Errors();

  RpcClientConfig rpc;
  rpc.call_timeout = 2s;
  std::vector<uint64_t> created(kWriters, 0);  // files 0..created-1 of each writer: create acknowledged
  std::vector<uint64_t> acked(kWriters, 0);    // files 0..acked-1: create and write acknowledged
  std::vector<Status> failures(kWriters);
  std::vector<Duration> took(kWriters);
  {
    ClientSession session({}, rpc);
    session.Run(first->address(), [&](FsClient& c) {
      Executor& ex = session.ex();
      std::vector<FiberHandle> writers;
      for (int w = 0; w < kWriters; ++w) {
        writers.push_back(ex.Spawn([&, w] {
          IoBuffer buf = IoBuffer::Allocate(kChunk);
          for (uint64_t i = 0;; ++i) {
            const TimePoint t0 = Now();
            Status s = c.Create(PathOf(w, i)).status();
            if (s.ok()) {
              created[w] = i + 1;
              FillPattern(buf.data(), kChunk, static_cast<uint64_t>(w) << 32 | i, 0);
              s = c.WriteChunk(PathOf(w, i), 0, 0, buf, kChunk);
            }
            if (!s.ok()) {
              failures[w] = s;
              took[w] = Now() - t0;
              return;
            }
            acked[w] = i + 1;
          }
        }));
      }
      // Kill once every writer has some acknowledged files.
      const TimePoint give_up = Now() + 60s;
      while (Now() < give_up && *std::min_element(acked.begin(), acked.end()) < 20) ex.SleepFor(10ms);
      first->process().Kill(SIGKILL);
      for (auto& f : writers) ex.Join(f);
    });
  }
  uint64_t total = 0;
  for (int w = 0; w < kWriters; ++w) {
    total += acked[w];
    ASSERT_GE(acked[w], 20u) << "writer " << w << " made no progress before the kill";
    const Status& s = failures[w];
    EXPECT_TRUE(s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kTimedOut) << s.ToString();
    EXPECT_NE(s.message().find(first->address()), std::string::npos) << s.ToString();
    // Create and write are two calls of at most 2 s each.
    EXPECT_LE(took[w], 2 * rpc.call_timeout + 1s) << s.ToString();
  }
  std::printf("[ server killed ] %llu files acknowledged; slowest failing call %.0f ms; a writer's failure: %s\n",
              static_cast<unsigned long long>(total),
              std::chrono::duration<double, std::milli>(*std::max_element(took.begin(), took.end())).count(),
              failures[0].ToString().c_str());
  ASSERT_TRUE(first->process().Wait(10s).has_value());

  DaemonProcess second(flags);
  ASSERT_TRUE(second.ok()) << second.Output() << second.Errors();
  ClientSession session;
  uint64_t verified = 0;
  session.Run(second.address(), [&](FsClient& c) {
    IoBuffer expect = IoBuffer::Allocate(kChunk);
    IoBuffer got = IoBuffer::Allocate(kChunk);
    for (int w = 0; w < kWriters; ++w) {
      for (uint64_t i = 0; i < created[w]; ++i) {
        auto st = c.Stat(PathOf(w, i));
        ASSERT_TRUE(st.ok()) << PathOf(w, i) << ": " << st.status().ToString();
      }
      for (uint64_t i = 0; i < acked[w]; ++i) {
        auto n = c.ReadChunk(PathOf(w, i), 0, 0, got, kChunk);
        ASSERT_TRUE(n.ok()) << PathOf(w, i) << ": " << n.status().ToString();
        ASSERT_EQ(*n, kChunk) << PathOf(w, i);
        FillPattern(expect.data(), kChunk, static_cast<uint64_t>(w) << 32 | i, 0);
        ASSERT_EQ(std::memcmp(got.data(), expect.data(), kChunk), 0) << PathOf(w, i) << " differs";
        ++verified;
      }
    }
  });
  EXPECT_EQ(verified, total);
  second.process().Kill(SIGTERM);
  EXPECT_EQ(second.process().Wait(30s), std::optional<int>(0)) << second.Errors();
  const std::string log = second.Output();
  EXPECT_NE(log.find("metadata log: replayed"), std::string::npos) << log;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

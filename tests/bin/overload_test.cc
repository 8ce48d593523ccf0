// SPDX-License-Identifier: BSD-3-Clause
// Fault matrix, overload: 16 benchfs clients x QD 256 (4096 calls
// outstanding) against a daemon admitting max_inflight = 64. What the user
// sees: every client finishes with zero errors - the server answers BUSY,
// clients back off and queue (CallWindow) and retry - while the daemon's
// memory stays under the stated ceiling, its thread count never changes and
// never more than 64 requests are in flight.
//
// Ceiling: 64 MiB + max_inflight x the largest request (16 KiB writes) =
// 65 MiB of RSS, read from the daemon's perf log (a row a second). It is
// checked in optimised builds; under AddressSanitizer the shadow memory and
// quarantine dominate RSS, so there it is printed, not asserted.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/sanitizer.h"
#include "tests/bin/daemon_process.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::DaemonProcess;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;

constexpr int kClients = 16;
constexpr int kQd = 256;
constexpr uint64_t kMaxInflight = 64;
constexpr uint64_t kLargestRequest = 16 << 10;
constexpr double kRssCeilingMiB = 64.0 + kMaxInflight * kLargestRequest / 1048576.0;

struct PerfRow {
  double rss_mib;
  int threads;
  int io_workers;
  uint64_t inflight;
};

std::vector<PerfRow> ReadPerfLog(const std::string& path) {
  std::stringstream csv(ReadFile(path));
  std::string line;
  std::getline(csv, line);  // header: elapsed_s,threads,io_workers,rss_mib,vms_mib,completed,inflight,...
  std::vector<PerfRow> rows;
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream r(line);
    std::string field;
    while (std::getline(r, field, ',')) f.push_back(field);
    if (f.size() < 7) continue;
    rows.push_back({std::stod(f[3]), std::stoi(f[1]), std::stoi(f[2]), std::stoull(f[6])});
  }
  return rows;
}

TEST(Overload, SixteenClientsAtQd256OnlySeeBusyAndRetries) {
  const std::string dir = MakeTempDir("overload");
  const std::string perf = dir + "/perf.csv";
  DaemonProcess d({"--listen", "127.0.0.1:0", "--data-dir", dir + "/data", "--log-level", "warn", "--max-inflight",
                   std::to_string(kMaxInflight), "--perf-log", perf});
  ASSERT_TRUE(d.ok()) << d.Errors();
  std::vector<std::unique_ptr<Process>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Process>(std::vector<std::string>{
        BENCHFS_BIN, "-s", d.address(), "bench", "small", "--ops", "write,read", "--sizes", "4KiB,16KiB", "--qd",
        std::to_string(kQd), "--duration", "3s", "--warmup", "0", "--files", "64", "--json",
        dir + "/c" + std::to_string(i) + ".json"}));
  }
  uint64_t ops = 0;
  for (int i = 0; i < kClients; ++i) {
    auto rc = clients[i]->Wait(600s);
    ASSERT_EQ(rc, std::optional<int>(0)) << "client " << i << ":\n" << clients[i]->out() << clients[i]->err();
    json j = json::parse(ReadFile(dir + "/c" + std::to_string(i) + ".json"));
    for (const json& r : j["results"]) {
      EXPECT_EQ(r["errors"], 0) << "client " << i << ": " << r;
      EXPECT_GT(r["count"].get<uint64_t>(), 0u) << r;
      ops += r["count"].get<uint64_t>();
    }
  }
  auto status = d.Status();
  EXPECT_GT(status["rejected_busy"], 0u) << "the server never answered BUSY: not an overload";
  d.process().Kill(SIGTERM);
  EXPECT_EQ(d.process().Wait(60s), std::optional<int>(0)) << d.Errors();

  const std::vector<PerfRow> rows = ReadPerfLog(perf);
  ASSERT_GE(rows.size(), 5u);
  double max_rss = 0;
  uint64_t max_inflight = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    max_rss = std::max(max_rss, rows[i].rss_mib);
    max_inflight = std::max(max_inflight, rows[i].inflight);
    EXPECT_EQ(rows[i].threads - rows[i].io_workers, rows[0].threads - rows[0].io_workers) << "row " << i;
    EXPECT_LE(rows[i].io_workers, 8) << "row " << i;
  }
  EXPECT_LE(max_inflight, kMaxInflight);
  std::printf("[ overload ] %d clients x QD %d, max_inflight %llu: %llu operations, 0 errors, %llu BUSY answers; "
              "daemon RSS max %.1f MiB (ceiling %.1f MiB), threads %d (+ <= 8 io workers)\n",
              kClients, kQd, static_cast<unsigned long long>(kMaxInflight), static_cast<unsigned long long>(ops),
              static_cast<unsigned long long>(status["rejected_busy"]), max_rss, kRssCeilingMiB,
              rows[0].threads - rows[0].io_workers);
#if defined(BENCHFS_ASAN)
  std::printf("[ overload ] RSS ceiling not asserted under AddressSanitizer (shadow memory and quarantine)\n");
#else
  EXPECT_LE(max_rss, kRssCeilingMiB);
#endif
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace benchfs

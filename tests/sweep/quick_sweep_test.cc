// SPDX-License-Identifier: BSD-3-Clause
// `benchfs sweep` as users run it, on a small grid that still holds the
// seed's (50 ms, 100 ms) in both modes and the zeros: the gated points
// reproduce the 150 ms signature and are flagged, naming the knob; the
// polled ones with the same timeouts show no floor and are never put down
// to a timeout; the JSON and CSV carry every point. With
// BENCHFS_SWEEP_QUICK_PRESET the whole `--quick` preset is run (label slow).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/bin/process.h"

namespace benchfs {
namespace {

using nlohmann::json;
using testing::MakeTempDir;
using testing::Process;
using testing::ReadFile;

struct SweepRun {
  int code = -1;
  json doc;
  std::string csv;
  std::string out;
  std::string err;
};

SweepRun Sweep(const std::vector<std::string>& grid, std::chrono::seconds timeout) {
  SweepRun r;
  const std::string dir = MakeTempDir("sweep-test");
  std::vector<std::string> args = {BENCHFS_BIN, "sweep", "--json", dir + "/sweep.json", "--csv", dir + "/sweep.csv",
                                   "--data-dir", dir + "/data"};
  args.insert(args.end(), grid.begin(), grid.end());
  Process p(args);
  auto code = p.Wait(timeout);
  r.out = p.out();
  r.err = p.err();
  if (!code) return r;
  r.code = *code;
  r.doc = json::parse(ReadFile(dir + "/sweep.json"), nullptr, false);
  r.csv = ReadFile(dir + "/sweep.csv");
  std::filesystem::remove_all(dir);
  return r;
}

const json* Point(const json& doc, const std::string& workload, uint32_t qd, const std::string& mode,
                  double submit_us, double complete_us) {
  for (const json& p : doc["points"]) {
    if (p["workload"] == workload && p["qd"] == qd && p["knobs"]["mode"] == mode &&
        p["knobs"]["submit_timeout_us"] == submit_us && p["knobs"]["complete_timeout_us"] == complete_us &&
        p["plane"] != "polling") {
      return &p;
    }
  }
  return nullptr;
}

bool IsTimeoutKnob(const json& q) {
  return !q.is_null() && q["knob"].get<std::string>().find("timeout") != std::string::npos;
}

// The checks every sweep here must pass.
void CheckSweep(const SweepRun& r, const std::vector<std::string>& workloads, const std::vector<uint32_t>& qds) {
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_FALSE(r.doc.is_discarded()) << "sweep.json is not JSON";
  EXPECT_EQ(r.doc["schema"], "benchfs.sweep/1");
  const size_t n = r.doc["points"].size();
  EXPECT_EQ(static_cast<size_t>(std::count(r.csv.begin(), r.csv.end(), '\n')), n + 1) << "one CSV row per point";

  for (const json& p : r.doc["points"]) {
    const std::string what = p["workload"].get<std::string>() + " qd " + std::to_string(p["qd"].get<int>()) + " " +
                             p["knobs"].dump();
    EXPECT_EQ(p["error"], "") << what;
    EXPECT_EQ(p["errors"], 0) << what;
    EXPECT_GT(p["count"], 0) << what;
    const double p50 = p["p50_us"];
    const double floor = p["timeout_floor_us"];
    if (p["knobs"]["mode"] == "gated") {
      // The goal: every gated point whose p50 sits within 5 % of its floor is flagged.
      if (floor > 0 && std::fabs(p50 - floor) <= 0.05 * floor) {
        EXPECT_TRUE(IsTimeoutKnob(p["quantization"])) << what << " p50 " << p50 << " floor " << floor;
      }
    } else {
      // ... and no polled point is put down to a timeout.
      EXPECT_FALSE(IsTimeoutKnob(p["quantization"])) << what << ": " << p["quantization"].dump();
    }
  }
  EXPECT_EQ(r.doc["detector_audit"]["polled_flagged_timeout"], 0);
  EXPECT_EQ(r.doc["detector_audit"]["gated_at_floor"], r.doc["detector_audit"]["gated_at_floor_flagged"]);

  for (const std::string& w : workloads) {
    for (uint32_t qd : qds) {
      const std::string what = w + " qd " + std::to_string(qd);
      const json* zero = Point(r.doc, w, qd, "polled", 0, 0);
      const json* polled = Point(r.doc, w, qd, "polled", 50000, 100000);
      const json* gated = Point(r.doc, w, qd, "gated", 50000, 100000);
      ASSERT_TRUE(zero && polled && gated) << what;
      const double gated_p50 = (*gated)["p50_us"];
      const double polled_p50 = (*polled)["p50_us"];
      const double zero_p50 = (*zero)["p50_us"];
      if (w == "rpc-ping") {
        // A ping waits for no io_uring operation: no gate, no floor.
        EXPECT_EQ((*gated)["timeout_floor_us"], 0.0) << what;
        EXPECT_TRUE((*gated)["quantization"].is_null() || !IsTimeoutKnob((*gated)["quantization"])) << what;
        continue;
      }
      // The seed's signature: at least 150 ms per operation in gated mode ...
      EXPECT_GE(gated_p50, 150000) << what;
      EXPECT_LT(gated_p50, 1000000) << what;
      ASSERT_FALSE((*gated)["quantization"].is_null()) << what;
      EXPECT_NE((*gated)["quantization"]["knob"].get<std::string>().find("submit_timeout + complete_timeout"),
                std::string::npos)
          << what;
      // ... and none in polled mode with the same values.
      EXPECT_LT(polled_p50, 0.1 * gated_p50) << what;
      if (w == "storage-read") {
        // Page-cache reads complete during submission, on one executor: no
        // wake-up anywhere, so the latency is the zeros' (which busy-poll,
        // and on a crowded machine may be the slower). Writes are not
        // compared: they complete in io_uring's kernel workers, and whether
        // the executor parks before the completion comes is up to the
        // scheduler, not the timeouts.
        EXPECT_LE(polled_p50, std::max(1.1 * zero_p50, zero_p50 + 5.0))
            << what << ": polled (50ms,100ms) " << polled_p50 << " us, polled (0,0) " << zero_p50 << " us";
      }
    }
  }
  EXPECT_NE(r.out.find("Seed check"), std::string::npos);
  EXPECT_NE(r.out.find("Recommendations"), std::string::npos);
  EXPECT_NE(r.out.find(" ms ≈ submit_timeout + complete_timeout (50ms + 100ms)"), std::string::npos)
      << "the detector's message names the knobs";
}

#ifndef BENCHFS_SWEEP_QUICK_PRESET

TEST(QuickSweep, SmallGridInProcess) {
  const std::vector<std::string> workloads = {"storage-write", "storage-read", "rpc-ping", "e2e-write"};
  SweepRun r = Sweep({"--quick", "--workloads", "storage-write,storage-read,rpc-ping,e2e-write", "--qds", "1",
                      "--complete-timeouts", "0,100ms", "--idle-spins", "50us", "--point-time", "200ms",
                      "--idle-window", "50ms"},
                     std::chrono::seconds(100));
  CheckSweep(r, workloads, {1});
}

TEST(QuickSweep, TwoProcesses) {
  std::vector<std::string> root;
  if (geteuid() == 0) root.push_back("--allow-root");  // benchfsd refuses root otherwise
  std::vector<std::string> args = {"--server", "process", "--workloads", "e2e-write", "--qds", "1", "--modes", "polled,gated",
                 "--submit-timeouts", "0,50ms", "--complete-timeouts", "0,100ms", "--idle-spins", "50us",
                 "--ring-setups", "none", "--point-time", "200ms", "--idle-window", "50ms"};
  args.insert(args.end(), root.begin(), root.end());
  SweepRun r = Sweep(args, std::chrono::seconds(100));
  CheckSweep(r, {"e2e-write"}, {1});
  for (const json& p : r.doc["points"]) {
    EXPECT_EQ(p["applied_to"], "client and server executors");
    EXPECT_GT(p["cpu"]["total_s"].get<double>(), 0.0);
  }
  EXPECT_EQ(r.doc["manifest"]["server"], "process");
}

TEST(QuickSweep, FloorsAndBreakdownPerPoint) {
  SweepRun r = Sweep({"--modes", "polled", "--submit-timeouts", "0", "--complete-timeouts", "100ms", "--idle-spins",
                      "50us", "--submit-batches", "32", "--ring-setups", "none", "--qds", "1", "--workloads",
                      "rpc-ping,e2e-write,e2e-create", "--point-time", "200ms", "--idle-window", "0",
                      "--baseline", "--breakdown", "--quiet"},
                     std::chrono::seconds(100));
  ASSERT_EQ(r.code, 0) << r.err;
  size_t floors = 0;
  for (const json& p : r.doc["points"]) {
    ASSERT_TRUE(p.contains("floor_us")) << p;
    ASSERT_FALSE(p["floor_us"].is_null()) << p;
    EXPECT_GT(p["floor_us"].get<double>(), 0.0) << p;
    EXPECT_NEAR(p["ratio"].get<double>(), p["p50_us"].get<double>() / p["floor_us"].get<double>(), 1e-6);
    ++floors;
    if (p["workload"] == "rpc-ping") continue;  // pings are not traced
    ASSERT_TRUE(p.contains("breakdown")) << p;
    const json& b = p["breakdown"]["p50"];
    double sum = 0;
    for (const char* k : {"send_us", "queue_us", "handler_us", "storage_us", "log_us", "reply_us"}) {
      sum += b[k].get<double>();
    }
    EXPECT_NEAR(sum, b["total_us"].get<double>(), 1e-6 * sum);
  }
  EXPECT_GE(floors, 3u);
}

TEST(QuickSweep, BadFlagsNameTheFlag) {
  Process p({BENCHFS_BIN, "sweep", "--submit-timeouts", "0,5"});
  auto code = p.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 2);
  EXPECT_NE(p.err().find("--submit-timeouts"), std::string::npos) << p.err();
}

#else

TEST(QuickSweep, QuickPreset) {
  SweepRun r = Sweep({"--quick"}, std::chrono::seconds(600));
  CheckSweep(r, {"storage-write", "storage-read", "rpc-ping", "e2e-write", "e2e-read", "e2e-create"}, {1, 8});
}

#endif

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Rounds: rows combine by (op, size) into medians with their spread; a floor
// above its row is flagged with a cause; a floor that moves between blocks
// is reported as a noisy host; the JSON carries all of it.
#include "measure/report.h"
#include "measure/rounds.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace benchfs {
namespace {

OpResult Row(const std::string& op, uint64_t size, uint64_t latency_ns, double floor_us) {
  OpResult r;
  r.op = op;
  r.size = size;
  r.qd = 1;
  for (int i = 0; i < 100; ++i) r.load.latency_ns.Record(latency_ns);
  r.load.ok = 100;
  r.load.elapsed = std::chrono::milliseconds(1);
  r.floor_us = floor_us;
  return r;
}

TEST(Rounds, CombineTakesMediansAndKeepsEveryRound) {
  std::vector<std::vector<OpResult>> rounds = {
      {Row("stat", 0, 10000, 8), Row("write", 4096, 30000, 20)},
      {Row("stat", 0, 12000, 9), Row("write", 4096, 33000, 21)},
      {Row("stat", 0, 11000, 30), Row("write", 4096, 90000, 22)},
  };
  auto rows = CombineRounds(rounds);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].rounds.size(), 3u);
  EXPECT_EQ(rows[0].load.ok, 300u);
  EXPECT_NEAR(Reported(rows[0]).p50_us, 11.0, 0.1);  // median of 10, 12, 11
  EXPECT_NEAR(*rows[0].floor_us, 9.0, 1e-9);          // median of 8, 9, 30
  EXPECT_NEAR(Reported(rows[1]).p50_us, 33.0, 0.2);   // the 90 us round does not move the median
  EXPECT_EQ(rows[1].load.latency_ns.max(), 90000u);  // but max covers every round
}

TEST(Rounds, AFloorAboveItsRowIsFlaggedWithACause) {
  std::vector<OpResult> rows = {Row("read", 4096, 10000, 11), Row("stat", 0, 10000, 10.4), Row("write", 4096, 30000, 10)};
  FlagSuspectFloors(rows);
  EXPECT_TRUE(rows[0].floor_suspect);   // 10 < 0.95 x 11
  EXPECT_FALSE(rows[1].floor_suspect);  // 10 >= 0.95 x 10.4
  EXPECT_FALSE(rows[2].floor_suspect);
  EXPECT_NE(rows[0].floor_note.find("below its floor"), std::string::npos) << rows[0].floor_note;
  const std::string json = ToJson(BaseManifest(), rows, Baseline{});
  auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["schema"], "benchfs.result/2");
  EXPECT_EQ(j["results"][0]["floor_suspect"], true);
  EXPECT_EQ(j["results"][1]["floor_suspect"], false);
  EXPECT_NE(FormatTable(rows, Baseline{}).find("! read 4KiB:"), std::string::npos);
}

TEST(Rounds, AMovingFloorIsANoisyHost) {
  std::vector<std::vector<OpResult>> rounds = {{Row("stat", 0, 20000, 10)}, {Row("stat", 0, 20000, 10.5)},
                                               {Row("stat", 0, 20000, 14)}};
  auto rows = CombineRounds(rounds);
  auto w = NoisyHostWarnings(rows);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("stat floor moved 10.00-14.00 us (1.40x) across 3 blocks"), std::string::npos) << w[0];
  // Several noisy rows: one line, the worst named, the others counted.
  std::vector<std::vector<OpResult>> two = {{Row("stat", 0, 20000, 10), Row("read", 4096, 20000, 10)},
                                            {Row("stat", 0, 20000, 13), Row("read", 4096, 20000, 20)}};
  auto w2 = NoisyHostWarnings(CombineRounds(two));
  ASSERT_EQ(w2.size(), 1u);
  EXPECT_NE(w2[0].find("the read 4KiB floor moved 10.00-20.00 us (2.00x)"), std::string::npos) << w2[0];
  EXPECT_NE(w2[0].find("and the floors of 1 more row moved more than that"), std::string::npos) << w2[0];
  std::vector<std::vector<OpResult>> steady = {{Row("stat", 0, 20000, 10)}, {Row("stat", 0, 20000, 11)}};
  EXPECT_TRUE(NoisyHostWarnings(CombineRounds(steady)).empty());
  // The JSON round-trips the per-round figures compare reads.
  auto j = nlohmann::json::parse(ToJson(BaseManifest(), rows, Baseline{}));
  EXPECT_EQ(j["results"][0]["rounds"], 3);
  EXPECT_EQ(j["results"][0]["round_figures"].size(), 3u);
  EXPECT_NEAR(j["results"][0]["floor_max_us"].get<double>(), 14.0, 1e-9);
}

}  // namespace
}  // namespace benchfs

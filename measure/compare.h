// SPDX-License-Identifier: BSD-3-Clause
// benchfs compare: what changed between benchmark runs, and whether it is
// more than noise. Rows of a baseline run A are matched with rows of another
// run B by (op, size, qd). For each of p50, p99 and p50/floor the change is
// the ratio of B's median over its rounds to A's, minus one; its 95 %
// confidence interval comes from a bootstrap over the rounds of both runs
// (each run's rounds resampled with replacement, the ratio of the medians
// taken, 2000 times, with a fixed seed so the same inputs give the same
// answer). A change whose interval excludes zero is a verdict ("slower by
// 21 % ± 6 %"); one whose interval spans zero is "no change beyond noise".
// The bootstrap needs rounds: runs made with --repeat (or --baseline, which
// repeats 3 times); a row of one round gets a figure and no verdict.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace benchfs {

struct CompareRow {
  std::string op;
  uint64_t size = 0;
  uint32_t qd = 0;
  std::vector<double> p50_us;    // one value per round
  std::vector<double> p99_us;
  std::vector<double> ratio;     // p50/floor per round (empty without floors)
};

// The rows of a benchfs.result/1 or /2 document.
Result<std::vector<CompareRow>> ParseCompareRows(const std::string& json_text, const std::string& name);

struct Change {
  double change = 0;   // B/A - 1 of the medians
  double low = 0;      // 95 % interval of the change
  double high = 0;
  bool has_interval = false;
  // "slower by 21 % ± 6 %", "faster by 8 % ± 3 %", "no change beyond noise (+2 %, -4 %..+7 %)",
  // or "+3 % (one round: no interval)".
  std::string verdict;
};

// The change from samples `a` to samples `b` (larger is slower: latencies, ratios).
Change CompareSamples(const std::vector<double>& a, const std::vector<double>& b);

struct RowComparison {
  std::string op;
  uint64_t size = 0;
  uint32_t qd = 0;
  Change p50, p99;
  std::optional<Change> ratio;
};

std::vector<RowComparison> CompareRuns(const std::vector<CompareRow>& a, const std::vector<CompareRow>& b);

// The table `benchfs compare` prints for A against B.
std::string FormatComparison(const std::string& a_name, const std::string& b_name,
                             const std::vector<RowComparison>& rows);

}  // namespace benchfs

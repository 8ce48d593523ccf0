// SPDX-License-Identifier: BSD-3-Clause
// Bootstrap comparison of two runs' rounds.
#include "measure/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

#include "measure/rounds.h"

namespace benchfs {
namespace {

constexpr int kResamples = 2000;
constexpr uint64_t kSeed = 0x5eed;

std::string Pct(double x) {
  char b[32];
  std::snprintf(b, sizeof(b), "%+.0f %%", x * 100);
  return b;
}

std::vector<double> Resample(const std::vector<double>& v, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
  std::vector<double> out(v.size());
  for (double& x : out) x = v[pick(rng)];
  return out;
}

std::string SizeName(uint64_t size) {
  if (size == 0) return "-";
  return size % 1024 == 0 ? std::to_string(size / 1024) + "KiB" : std::to_string(size) + "B";
}

}  // namespace

Result<std::vector<CompareRow>> ParseCompareRows(const std::string& json_text, const std::string& name) {
  using nlohmann::json;
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(name + " is not JSON: " + e.what());
  }
  const std::string schema = doc.value("schema", "");
  if (schema != "benchfs.result/1" && schema != "benchfs.result/2") {
    return Status::InvalidArgument(name + " is not a benchfs result (schema '" + schema + "'; expected benchfs.result/1 or /2)");
  }
  std::vector<CompareRow> rows;
  try {
    for (const json& r : doc.at("results")) {
      CompareRow row;
      row.op = r.at("op").get<std::string>();
      row.size = r.at("size").get<uint64_t>();
      row.qd = r.value("qd", 0u);
      if (r.contains("round_figures")) {
        for (const json& x : r["round_figures"]) {
          row.p50_us.push_back(x.at("p50_us").get<double>());
          row.p99_us.push_back(x.at("p99_us").get<double>());
          if (x.contains("ratio")) row.ratio.push_back(x["ratio"].get<double>());
        }
      } else {
        row.p50_us.push_back(r.at("p50_us").get<double>());
        row.p99_us.push_back(r.at("p99_us").get<double>());
        if (r.contains("ratio")) row.ratio.push_back(r["ratio"].get<double>());
      }
      rows.push_back(std::move(row));
    }
  } catch (const json::exception& e) {
    return Status::InvalidArgument(name + ": a result row is malformed: " + e.what());
  }
  return rows;
}

Change CompareSamples(const std::vector<double>& a, const std::vector<double>& b) {
  Change c;
  const double ma = Median(a);
  const double mb = Median(b);
  if (a.empty() || b.empty() || ma <= 0) {
    c.verdict = "no data";
    return c;
  }
  c.change = mb / ma - 1;
  if (a.size() < 2 || b.size() < 2) {
    c.verdict = Pct(c.change) + " (one round: no interval; run with --repeat)";
    return c;
  }
  std::mt19937_64 rng(kSeed);
  std::vector<double> changes;
  changes.reserve(kResamples);
  for (int i = 0; i < kResamples; ++i) {
    const double ra = Median(Resample(a, rng));
    const double rb = Median(Resample(b, rng));
    if (ra > 0) changes.push_back(rb / ra - 1);
  }
  std::sort(changes.begin(), changes.end());
  c.low = changes[static_cast<size_t>(0.025 * (changes.size() - 1))];
  c.high = changes[static_cast<size_t>(0.975 * (changes.size() - 1))];
  c.has_interval = true;
  char b2[160];
  if (c.low > 0 || c.high < 0) {
    const double half = (c.high - c.low) / 2;
    std::snprintf(b2, sizeof(b2), "%s by %.0f %% ± %.0f %%", c.change > 0 ? "slower" : "faster",
                  std::fabs(c.change) * 100, half * 100);
  } else {
    std::snprintf(b2, sizeof(b2), "no change beyond noise (%s, interval %s..%s)", Pct(c.change).c_str(),
                  Pct(c.low).c_str(), Pct(c.high).c_str());
  }
  c.verdict = b2;
  return c;
}

std::vector<RowComparison> CompareRuns(const std::vector<CompareRow>& a, const std::vector<CompareRow>& b) {
  std::vector<RowComparison> out;
  for (const CompareRow& x : a) {
    for (const CompareRow& y : b) {
      if (x.op != y.op || x.size != y.size || x.qd != y.qd) continue;
      RowComparison r;
      r.op = x.op;
      r.size = x.size;
      r.qd = x.qd;
      r.p50 = CompareSamples(x.p50_us, y.p50_us);
      r.p99 = CompareSamples(x.p99_us, y.p99_us);
      if (!x.ratio.empty() && !y.ratio.empty()) r.ratio = CompareSamples(x.ratio, y.ratio);
      out.push_back(std::move(r));
      break;
    }
  }
  return out;
}

std::string FormatComparison(const std::string& a_name, const std::string& b_name,
                             const std::vector<RowComparison>& rows) {
  std::string out = b_name + " against " + a_name + " (95 % bootstrap intervals over rounds):\n";
  char line[512];
  for (const RowComparison& r : rows) {
    std::snprintf(line, sizeof(line), "%s %s qd %u\n", r.op.c_str(), SizeName(r.size).c_str(), r.qd);
    out += line;
    std::snprintf(line, sizeof(line), "  %-10s %s\n  %-10s %s\n", "p50", r.p50.verdict.c_str(), "p99",
                  r.p99.verdict.c_str());
    out += line;
    if (r.ratio) {
      std::snprintf(line, sizeof(line), "  %-10s %s\n", "p50/floor", r.ratio->verdict.c_str());
      out += line;
    }
  }
  if (rows.empty()) out += "(no rows in common)\n";
  return out;
}

}  // namespace benchfs

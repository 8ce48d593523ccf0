// SPDX-License-Identifier: BSD-3-Clause
// The latency / CPU trade-off: which measured settings are Pareto-optimal
// (no other setting is at least as fast with at most as much CPU, and better
// in one of them), and which one to pick within a CPU budget.
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

namespace benchfs {

struct TradeoffPoint {
  size_t id = 0;           // caller's index
  double cores = 0;        // CPU used per second of wall time, both sides
  double latency_us = 0;   // the latency objective (e.g. p99)
  bool eligible = true;    // may be on the front / recommended
};

// Ids of the eligible points on the front, by increasing cores (so by
// decreasing latency). Points with identical figures are all kept.
std::vector<size_t> ParetoFront(const std::vector<TradeoffPoint>& points);

// The eligible point with the lowest latency using at most `budget_cores`
// (ties: fewer cores, then the lower id); none if nothing fits. Such a point
// is always on the front.
std::optional<size_t> Recommend(const std::vector<TradeoffPoint>& points,
                                double budget_cores = std::numeric_limits<double>::infinity());

}  // namespace benchfs

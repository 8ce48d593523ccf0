// SPDX-License-Identifier: BSD-3-Clause
// Pareto front and budgeted choice.
#include "sweep/pareto.h"

#include <algorithm>

namespace benchfs {

std::vector<size_t> ParetoFront(const std::vector<TradeoffPoint>& points) {
  std::vector<const TradeoffPoint*> cand;
  for (const TradeoffPoint& p : points) {
    if (p.eligible) cand.push_back(&p);
  }
  std::vector<const TradeoffPoint*> front;
  for (const TradeoffPoint* p : cand) {
    bool dominated = false;
    for (const TradeoffPoint* q : cand) {
      if (q == p) continue;
      const bool no_worse = q->cores <= p->cores && q->latency_us <= p->latency_us;
      const bool better = q->cores < p->cores || q->latency_us < p->latency_us;
      if (no_worse && better) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(p);
  }
  std::sort(front.begin(), front.end(), [](const TradeoffPoint* a, const TradeoffPoint* b) {
    if (a->cores != b->cores) return a->cores < b->cores;
    if (a->latency_us != b->latency_us) return a->latency_us < b->latency_us;
    return a->id < b->id;
  });
  std::vector<size_t> ids;
  for (const TradeoffPoint* p : front) ids.push_back(p->id);
  return ids;
}

std::optional<size_t> Recommend(const std::vector<TradeoffPoint>& points, double budget_cores) {
  const TradeoffPoint* best = nullptr;
  for (const TradeoffPoint& p : points) {
    if (!p.eligible || p.cores > budget_cores) continue;
    if (best == nullptr || p.latency_us < best->latency_us ||
        (p.latency_us == best->latency_us &&
         (p.cores < best->cores || (p.cores == best->cores && p.id < best->id)))) {
      best = &p;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->id;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The JSON form of a breakdown, shared by the result and sweep reports:
// {same_clock, calls, p50:{send_us, queue_us, handler_us, storage_us, log_us,
// reply_us, total_us, calls}, p99:{...}}.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "measure/breakdown.h"

namespace benchfs {

// `at50` gives the p50 band and the header fields, `at99` the p99 band (the
// same object when a row has one breakdown).
inline nlohmann::json BreakdownJson(const BreakdownFigures& at50, const BreakdownFigures& at99) {
  nlohmann::json bd = {{"same_clock", at50.same_clock}, {"calls", at50.calls}};
  for (const auto& [name, band] : {std::pair<const char*, const StageBand*>{"p50", &at50.p50}, {"p99", &at99.p99}}) {
    nlohmann::json o = nlohmann::json::object();
    for (unsigned k = 0; k < kStages; ++k) o[std::string(StageName(k)) + "_us"] = band->stage_us[k];
    o["total_us"] = band->total_us;
    o["calls"] = band->calls;
    bd[name] = o;
  }
  return bd;
}

}  // namespace benchfs

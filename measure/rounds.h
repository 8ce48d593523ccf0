// SPDX-License-Identifier: BSD-3-Clause
// Repeated rounds of one benchmark, each op block preceded by a floor block
// of the same shape, so a row's floor and its measurement see the same host:
// the rounds are combined into one row per (op, size) - medians over rounds,
// spreads as min and max - and rows whose floor is not below them are
// flagged rather than printed as if nothing were wrong.
#pragma once

#include <string>
#include <vector>

#include "measure/op_result.h"

namespace benchfs {

// A row is flagged when its p50 is below this fraction of its floor.
inline constexpr double kFloorSuspectRatio = 0.95;
// A host is called noisy when a floor's slowest block is this many times its
// fastest (25 % apart).
inline constexpr double kNoisyFloorSpread = 1.25;

double Median(std::vector<double> v);

// A row's figures from its own histogram and counts.
RoundFigures FiguresOf(const OpResult& r);

// The figures a row reports: medians over its rounds when it has several,
// else its own.
RoundFigures Reported(const OpResult& r);

// Combines rounds of the same benchmark (rows matched by op and size, in the
// order of the first round). Each input row's floor_us is that round's floor.
std::vector<OpResult> CombineRounds(const std::vector<std::vector<OpResult>>& rounds);

// The breakdown to report at quantile q (0.5 or 0.99): with several rounds,
// that of the round whose p50 (p99) is the reported median, so the stages
// add up to the figure they explain; else the row's own. Null if untraced.
const Breakdown* BreakdownAt(const OpResult& r, double q);

// Sets floor_suspect and floor_note on rows whose p50 is below
// kFloorSuspectRatio x floor.
void FlagSuspectFloors(std::vector<OpResult>& rows);

// One line when some row's floor moved more than kNoisyFloorSpread across
// its blocks: the worst row with its figures, and how many others did.
// Empty when none did.
std::vector<std::string> NoisyHostWarnings(const std::vector<OpResult>& rows);

}  // namespace benchfs

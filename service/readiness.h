// SPDX-License-Identifier: BSD-3-Clause
// benchfsd's readiness line: once it serves, benchfsd prints one line
// "benchfsd ready on <where>" on stdout, and launchers (the sweep, the tests,
// the cluster scripts) wait for it. <where> starts with the address clients
// connect to ("host:port"); a registry path may follow it (" and <path>").
// The cluster scripts' Python parser is cluster-scripts/bfs_cluster/readiness.py.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace benchfs {

inline constexpr std::string_view kReadyPrefix = "benchfsd ready on ";

// The readiness line, newline included. An empty `where` (no listener: the
// address goes to the launcher in process) is spelt out.
inline std::string FormatReadyLine(const std::string& where) {
  return std::string(kReadyPrefix) + (where.empty() ? "a worker address handed to the launcher" : where) + "\n";
}

// The address a readiness line names (its first word after the prefix);
// nothing if `line` does not start with the prefix.
inline std::optional<std::string> ParseReadyLine(std::string_view line) {
  if (line.substr(0, kReadyPrefix.size()) != kReadyPrefix) return std::nullopt;
  const std::string_view where = line.substr(kReadyPrefix.size());
  return std::string(where.substr(0, where.find(' ')));
}

}  // namespace benchfs

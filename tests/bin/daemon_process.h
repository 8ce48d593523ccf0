// SPDX-License-Identifier: BSD-3-Clause
// A benchfsd child for tests: started with the test's flags (plus
// --allow-root when the tests run as root), its address taken from the
// readiness line (service/readiness.h), and its STATUS counters read the way a user reads
// them, with `benchfs status`.
#pragma once

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "service/readiness.h"
#include "tests/bin/process.h"

namespace benchfs::testing {

// Counters of `benchfs status` against `addr` (empty if the command failed).
inline std::map<std::string, uint64_t> ReadStatus(const std::string& addr,
                                                  std::vector<std::string> client_flags = {}) {
  std::vector<std::string> args = {BENCHFS_BIN, "-s", addr, "--timeout", "5s", "--connect-timeout", "5s"};
  args.insert(args.end(), client_flags.begin(), client_flags.end());
  args.push_back("status");
  Process p(args);
  std::map<std::string, uint64_t> kv;
  if (p.Wait(std::chrono::seconds(30)) != std::optional<int>(0)) return kv;
  std::stringstream out(p.out());
  std::string line;
  while (std::getline(out, line)) {
    if (line.rfind("  ", 0) != 0) continue;
    std::stringstream fields(line);
    std::string key;
    uint64_t value = 0;
    if (fields >> key >> value) kv[key] = value;
  }
  return kv;
}

class DaemonProcess {
 public:
  // `flags` follow the binary; `prefix` runs before it (ip netns exec ...,
  // unshare ...); `env` adds variables.
  explicit DaemonProcess(std::vector<std::string> flags, std::vector<std::string> env = {},
                         std::vector<std::string> prefix = {}) {
    std::vector<std::string> args = {BENCHFSD_BIN};
    args.insert(args.end(), flags.begin(), flags.end());
    process_ = std::make_unique<Process>(WithPrivilegeFlags(args), env, prefix);
    // Log lines (spdlog writes to stdout) may come before the ready line.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      auto line = process_->ReadLine(std::chrono::seconds(60));
      if (!line) break;
      if (auto address = ParseReadyLine(*line)) {
        address_ = std::move(*address);
        break;
      }
      early_output_ += *line + "\n";
    }
  }
  bool ok() const { return !address_.empty(); }
  const std::string& address() const { return address_; }
  Process& process() { return *process_; }
  std::map<std::string, uint64_t> Status(std::vector<std::string> client_flags = {}) const {
    return ReadStatus(address_, client_flags);
  }
  // Everything on stderr so far (after the process ended: all of it).
  std::string Errors() {
    process_->Wait(std::chrono::milliseconds(1));
    return process_->err();
  }
  // Everything on stdout so far - the daemon's log lines included - but the
  // ready line.
  std::string Output() {
    process_->Wait(std::chrono::milliseconds(1));
    return early_output_ + process_->out();
  }

 private:
  std::unique_ptr<Process> process_;
  std::string address_;
  std::string early_output_;
};

}  // namespace benchfs::testing

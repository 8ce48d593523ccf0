// SPDX-License-Identifier: BSD-3-Clause
// What tests of the BenchFS programs add to the shared child-process and
// scratch-directory helpers (tests/support): the flags every benchfsd a test
// starts needs, and reading a file the programs wrote.
#pragma once

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace benchfs::testing {

// Flags every benchfsd a test starts needs: the daemon refuses to run as root
// unless given --allow-root, and CI runs the tests as root.
inline std::vector<std::string> PrivilegeFlags() {
  if (::geteuid() == 0) return {"--allow-root"};
  return {};
}

// `args` (program first) with the privilege flags appended.
inline std::vector<std::string> WithPrivilegeFlags(std::vector<std::string> args) {
  for (auto& f : PrivilegeFlags()) args.push_back(f);
  return args;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace benchfs::testing

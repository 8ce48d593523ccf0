// SPDX-License-Identifier: BSD-3-Clause
// Test helper: parses a command line with a CLI11 app, turning a parse
// error into a Status as the programs do.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "runtime/status.h"

namespace benchfs {

inline Status ParseArgs(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"test"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument(e.what());
  }
  return Status();
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target `config`: benchfsd's TOML configuration file. Every daemon
// knob is declared as benchfsd declares them; an accepted file must leave
// settings that, printed back as --print-config prints them
// (Knobs::PrintToml), load again to the same values.
#include <string_view>

#include "service/knob_registry.h"
#include "tests/fuzz/fuzz_targets.h"

namespace benchfs::fuzz {

std::string CheckConfig(const uint8_t* data, size_t size) {
  DaemonConfig config;
  Knobs knobs;
  AddDaemonKnobs(knobs, &config);
  Status s = knobs.ApplyToml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  if (!s.ok()) {
    if (s.message().rfind("fuzz.toml", 0) != 0) return "an error does not name the file: " + s.message();
    return "";
  }
  const std::string printed = knobs.PrintToml();
  DaemonConfig again;
  Knobs reloaded;
  AddDaemonKnobs(reloaded, &again);
  s = reloaded.ApplyToml(printed, "printed.toml");
  if (!s.ok()) return "the printed configuration does not load: " + s.message() + "\n" + printed;
  if (reloaded.Values() != knobs.Values()) return "the printed configuration loads to other values:\n" + printed;
  return "";
}

}  // namespace benchfs::fuzz

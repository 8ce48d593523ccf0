// SPDX-License-Identifier: BSD-3-Clause
// benchfsd: the BenchFS chunk-store and metadata server daemon. Parses flags
// over an optional TOML config file and runs the daemon (service/daemon.h).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "service/daemon.h"
#include "service/knob_registry.h"

int main(int argc, char** argv) {
  benchfs::DaemonConfig config;
  benchfs::Knobs knobs;
  benchfs::AddDaemonKnobs(knobs, &config);
  CLI::App app{
      "benchfsd - the BenchFS chunk-store and metadata server.\n"
      "Serves WRITE_CHUNK, READ_CHUNK, META_CREATE/STAT/DELETE/UPDATE, FSYNC, PING, STATUS and\n"
      "SHUTDOWN over UCX active messages on one executor thread. Every option can also be set in\n"
      "a TOML file (--config); flags given on the command line win. SIGINT/SIGTERM or a SHUTDOWN\n"
      "request stop it cleanly (exit 0). Exit codes: 0 ok, 1 a start-up failure (port in use, data\n"
      "dir unusable or locked by another benchfsd), 2 bad configuration.",
      "benchfsd"};
  std::string config_file;
  bool print_config = false;
  bool print_config_doc = false;
  app.add_option("-c,--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
  app.add_flag("--print-config", print_config, "print every setting as TOML keys and exit");
  // Hidden: the knob table of docs/configuration.md (scripts/update-config-doc).
  app.add_flag("--print-config-doc", print_config_doc, "print the knob table of docs/configuration.md")->group("");
  app.add_flag("--allow-root", config.allow_root,
               "run even as root (refused otherwise: the daemon needs no privileges); a flag only, "
               "not a TOML key");
  knobs.Declare(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; every parse error is bad configuration (2).
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (print_config_doc) {
    std::fputs(knobs.MarkdownTable().c_str(), stdout);
    return 0;
  }
  benchfs::Status s = knobs.Apply(config_file);
  if (!s.ok()) {
    std::fprintf(stderr, "benchfsd: %s\n", s.message().c_str());
    return 2;
  }
  if (print_config) {
    std::fputs(knobs.PrintToml().c_str(), stdout);
    return 0;
  }
  return benchfs::RunDaemon(config);
}

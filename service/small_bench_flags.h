// SPDX-License-Identifier: BSD-3-Clause
// The flags of a small benchmark run - `benchfs bench small`, `benchfs bench
// ping` and `benchfs-mpi` - declared once, and their resolution into a
// SmallBenchConfig and OutputOptions with one set of checks (--iterations or
// --duration, --warmup or --warmup-time, sizes, ops, client id, rounds).
#pragma once

#include <cstdint>
#include <string>

#include "runtime/status.h"
#include "service/client_commands.h"
#include "service/small_bench.h"

namespace CLI {
class App;
}  // namespace CLI

namespace benchfs {

enum class SmallBenchCommand {
  kSmall,  // benchfs bench small: every flag
  kPing,   // benchfs bench ping: no --ops, --files or --verify
  kMpi,    // benchfs-mpi: no result files (--json, --csv, --plot) and no --start-at
};

// What the flags hold as text until Resolve checks them.
struct SmallBenchFlags {
  std::string sizes = "1KiB,4KiB,16KiB";
  std::string ops;
  std::string duration;
  std::string warmup_time;
  uint64_t iterations = 10000;
  uint64_t warmup = 100;
  std::string client_id;
};

// Declares the flags of `command` on `app`, bound to `flags` and to the
// fields of `config` and `out` that take a flag's value as it is. The
// objects must outlive the parse.
void AddSmallBenchFlags(CLI::App& app, SmallBenchCommand command, SmallBenchFlags* flags,
                        SmallBenchConfig* config, OutputOptions* out);

// After `app` (where the flags were declared) parsed: fills in `config`'s
// load, sizes, ops and client id (`default_client_id` when --client-id was
// not given) and checks the whole. INVALID_ARGUMENT naming the flag.
Status ResolveSmallBenchFlags(const CLI::App& app, SmallBenchCommand command, const SmallBenchFlags& flags,
                              const std::string& default_client_id, SmallBenchConfig* config,
                              OutputOptions* out);

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The libFuzzer entry point of one fuzz target, chosen at build time with
// -DBENCHFS_FUZZ_TARGET=<function of fuzz_targets.h>. A broken property is
// printed and aborts, so libFuzzer saves the input as a crash.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem = benchfs::fuzz::BENCHFS_FUZZ_TARGET(data, size);
  if (!problem.empty()) {
    std::fprintf(stderr, "benchfs fuzz target: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}

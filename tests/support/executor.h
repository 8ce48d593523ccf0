// SPDX-License-Identifier: BSD-3-Clause
// Executors for tests: one built from a config, with a failure to build it
// reported as a test failure.
#pragma once

#include <memory>

#include "runtime/executor.h"

namespace benchfs::testing {

// An executor built from `cfg`; null (and the test marked failed, naming the
// reason) if it cannot be built.
std::unique_ptr<Executor> MakeExecutor(const ExecutorConfig& cfg = {});

}  // namespace benchfs::testing

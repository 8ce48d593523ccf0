// SPDX-License-Identifier: BSD-3-Clause
// MakeExecutor: Executor::Create with the failure reported to GoogleTest.
#include "tests/support/executor.h"

#include <gtest/gtest.h>

namespace benchfs::testing {

std::unique_ptr<Executor> MakeExecutor(const ExecutorConfig& cfg) {
  auto r = Executor::Create(cfg);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return nullptr;
  return std::move(r.value());
}

}  // namespace benchfs::testing

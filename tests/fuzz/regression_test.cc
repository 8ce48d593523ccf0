// SPDX-License-Identifier: BSD-3-Clause
// Replays every fuzz target over its seed corpus (tests/fuzz/corpus/<target>)
// and over every input that once broke it (tests/fuzz/regressions/<target>),
// in every build - release and sanitizers - so a fixed bug stays fixed even
// where clang and libFuzzer are not available.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "tests/fuzz/fuzz_targets.h"

namespace benchfs::fuzz {
namespace {

struct Target {
  const char* name;
  std::string (*check)(const uint8_t*, size_t);
};

void PrintTo(const Target& t, std::ostream* os) { *os << t.name; }

class FuzzRegression : public ::testing::TestWithParam<Target> {
 protected:
  // Runs the target on every file under `dir`; returns how many there were.
  size_t ReplayDir(const std::filesystem::path& dir) {
    size_t n = 0;
    if (!std::filesystem::exists(dir)) return 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_EQ(GetParam().check(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "")
          << entry.path();
      ++n;
    }
    return n;
  }
};

TEST_P(FuzzRegression, SeedCorpus) {
  const size_t n = ReplayDir(std::filesystem::path(BENCHFS_FUZZ_DIR) / "corpus" / GetParam().name);
  EXPECT_GE(n, 3u) << "the seed corpus of " << GetParam().name << " is missing";
}

TEST_P(FuzzRegression, InputsThatOnceFailed) {
  const size_t n = ReplayDir(std::filesystem::path(BENCHFS_FUZZ_DIR) / "regressions" / GetParam().name);
  std::printf("[ regressions ] %zu inputs for %s\n", n, GetParam().name);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression,
                         ::testing::Values(Target{"wire", &CheckWire}, Target{"metadata_log", &CheckMetadataLog},
                                           Target{"config", &CheckConfig},
                                           Target{"bootstrap", &CheckBootstrap}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FuzzTargets, EmptyAndTinyInputs) {
  for (auto check : {&CheckWire, &CheckMetadataLog, &CheckConfig, &CheckBootstrap}) {
    EXPECT_EQ(check(nullptr, 0), "");
    const uint8_t one[1] = {1};
    EXPECT_EQ(check(one, 1), "");
  }
}

}  // namespace
}  // namespace benchfs::fuzz

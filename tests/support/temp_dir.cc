// SPDX-License-Identifier: BSD-3-Clause
// Scratch directories: creation under $TMPDIR and removal.
#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <filesystem>

namespace benchfs::testing {

std::string MakeTempDir(const std::string& tag) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/benchfs-" + tag + "-XXXXXX";
  return mkdtemp(path.data()) != nullptr ? path : "";
}

TempDir::TempDir(const std::string& tag) : path_(MakeTempDir(tag)) {}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

}  // namespace benchfs::testing

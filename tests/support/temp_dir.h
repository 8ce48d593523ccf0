// SPDX-License-Identifier: BSD-3-Clause
// Scratch directories for tests: fresh private directories (mkdtemp, mode
// 0700) named benchfs-<tag>-XXXXXX under $TMPDIR, or /tmp when it is unset.
#pragma once

#include <string>

namespace benchfs::testing {

// Creates a scratch directory and returns its path ("" if it cannot). It is
// left in place: the caller removes it (tests of the programs keep daemon
// logs there, to be read after a failure).
std::string MakeTempDir(const std::string& tag);

// A scratch directory removed with its contents on destruction (made
// writable first, so a test may have taken its permissions away).
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // "" if the directory could not be created.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace benchfs::testing

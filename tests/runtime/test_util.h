// SPDX-License-Identifier: BSD-3-Clause
// Helpers shared by the runtime tests: a scratch file that lives in the page
// cache and a median (executors come from tests/support/executor.h).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/executor.h"
#include "runtime/uring_reactor.h"
#include "tests/support/executor.h"

namespace benchfs::testing {

// A file of `size` bytes whose byte i is (i * 131 + 7) & 0xff, read once so it
// sits in the page cache. Removed on destruction.
class ScratchFile {
 public:
  explicit ScratchFile(size_t size) : size_(size) {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/benchfs-test-XXXXXX";
    fd_ = mkstemp(path_.data());
    if (fd_ < 0) return;
    std::vector<unsigned char> data(size);
    for (size_t i = 0; i < size; ++i) data[i] = Pattern(i);
    if (::pwrite(fd_, data.data(), size, 0) != static_cast<ssize_t>(size)) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    std::vector<unsigned char> sink(size);
    if (::pread(fd_, sink.data(), size, 0) < 0) fd_ = -1;
  }
  ~ScratchFile() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  static unsigned char Pattern(size_t i) { return static_cast<unsigned char>((i * 131 + 7) & 0xff); }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  size_t size() const { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  size_t size_;
};

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace benchfs::testing

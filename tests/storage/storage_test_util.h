// SPDX-License-Identifier: BSD-3-Clause
// Helpers shared by the storage tests: deterministic random bytes, checksums,
// buffers holding them, and a private tmpfs for a check run in a child. The
// executors, scratch directories and children come from tests/support.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/executor.h"
#include "runtime/io_buffer.h"
#include "tests/support/child_process.h"
#include "tests/support/executor.h"
#include "tests/support/temp_dir.h"

namespace benchfs::testing {

// `n` bytes derived from `seed` (the same seed gives the same bytes).
inline std::vector<unsigned char> RandomBytes(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  std::vector<unsigned char> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>(rng() >> 56);
  return v;
}

inline uint64_t Checksum(const void* p, size_t n) { return XXH3_64bits(p, n); }

inline IoBuffer BufferWith(const std::vector<unsigned char>& bytes, size_t capacity = 0) {
  IoBuffer b = IoBuffer::Allocate(std::max(bytes.size(), std::max<size_t>(capacity, 1)));
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<unsigned char*>(b.data()));
  return b;
}

// In a child: a private mount namespace with a tmpfs mounted at `dir`.
// Returns 0, or an errno when the namespace or the mount is refused.
inline int MountPrivateTmpfs(const std::string& dir, const char* options, unsigned long flags) {
  if (unshare(CLONE_NEWNS) != 0) return errno;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
  if (mount("tmpfs", dir.c_str(), "tmpfs", flags, options) != 0) return errno;
  return 0;
}

}  // namespace benchfs::testing

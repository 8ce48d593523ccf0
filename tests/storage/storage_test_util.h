// Helpers shared by the storage tests: scratch directories, executors,
// deterministic random bytes, checksums, and running a check in a forked
// child (for kill -9, private mount namespaces and rlimits).
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

namespace benchfs::testing {

inline std::unique_ptr<Executor> MakeExecutor(const ExecutorConfig& cfg = {}) {
  auto r = Executor::Create(cfg);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return nullptr;
  return std::move(r.value());
}

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/benchfs-storage-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

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

// Runs `body` in a forked child and returns its exit code (128 + signal if it
// was killed). The child must not touch the parent's executors.
inline int RunInChild(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    int rc = body();
    _exit(rc);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// In a child: a private mount namespace with a tmpfs mounted at `dir`.
// Returns 0, or an errno when the namespace or the mount is refused.
inline int MountPrivateTmpfs(const std::string& dir, const char* options, unsigned long flags) {
  if (unshare(CLONE_NEWNS) != 0) return errno;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
  if (mount("tmpfs", dir.c_str(), "tmpfs", flags, options) != 0) return errno;
  return 0;
}

// Exit code a child uses to say "this environment can't run the check".
inline constexpr int kChildSkip = 77;

}  // namespace benchfs::testing

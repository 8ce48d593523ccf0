// SPDX-License-Identifier: BSD-3-Clause
// Registry entries: publish with write-then-rename, read through io_uring.
#include "rpc/registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rpc/codec.h"
#include "runtime/executor.h"
#include "runtime/unique_fd.h"
#include "runtime/uring_reactor.h"

namespace benchfs {
namespace {

constexpr char kMagic[8] = {'B', 'F', 'S', 'A', 'D', 'D', 'R', '1'};
constexpr size_t kPrefix = 16;
constexpr size_t kMaxAddress = 64 * 1024;

uint32_t Fnv1a(std::span<const std::byte> bytes) {
  uint32_t h = 2166136261u;
  for (std::byte b : bytes) {
    h ^= static_cast<uint32_t>(b);
    h *= 16777619u;
  }
  return h;
}

Result<std::vector<std::byte>> ParseEntry(std::span<const std::byte> in, const std::string& path) {
  const std::byte* p = in.data();
  if (in.size() < kPrefix || std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    return Status::Corruption("registry entry " + path + " is not a BenchFS address");
  }
  const uint32_t len = GetLE<uint32_t>(p + 8);
  if (len > kMaxAddress || in.size() != kPrefix + len ||
      Fnv1a({p + kPrefix, len}) != GetLE<uint32_t>(p + 12)) {
    return Status::Corruption("registry entry " + path + " is truncated or damaged");
  }
  return std::vector<std::byte>(p + kPrefix, p + kPrefix + len);
}

}  // namespace

Status ValidateRegistryName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name != "." && name != "..";
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
  }
  if (ok) return Status();
  return Status::InvalidArgument("registry name '" + name + "' must be 1..128 characters of [A-Za-z0-9._-]");
}

std::string RegistryPath(const std::string& dir, const std::string& name) {
  return dir + "/" + name + ".addr";
}

Status PublishAddress(const std::string& dir, const std::string& name,
                      std::span<const std::byte> address) {
  Status s = ValidateRegistryName(name);
  if (!s.ok()) return s;
  std::vector<std::byte> data(kPrefix + address.size());
  std::memcpy(data.data(), kMagic, sizeof(kMagic));
  PutLE<uint32_t>(data.data() + 8, static_cast<uint32_t>(address.size()));
  PutLE<uint32_t>(data.data() + 12, Fnv1a(address));
  std::memcpy(data.data() + kPrefix, address.data(), address.size());

  const std::string final_path = RegistryPath(dir, name);
  const std::string tmp = final_path + ".tmp." + std::to_string(getpid());
  // Owner-only, created afresh (a leftover is removed first; never followed
  // through a symbolic link).
  ::unlink(tmp.c_str());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, "registry: creating " + tmp);
  if (::fchmod(fd.get(), 0600) != 0 ||
      ::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()) ||
      ::fsync(fd.get()) != 0) {
    Status err = Status::FromErrno(errno, "registry: writing " + tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  fd.reset();
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    Status err = Status::FromErrno(errno, "registry: renaming " + tmp + " to " + final_path);
    ::unlink(tmp.c_str());
    return err;
  }
  return Status();
}

Status UnpublishAddress(const std::string& dir, const std::string& name) {
  const std::string path = RegistryPath(dir, name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "registry: removing " + path);
  }
  return Status();
}

Result<std::vector<std::byte>> ReadAddress(Executor& ex, const std::string& dir,
                                           const std::string& name) {
  Status s = ValidateRegistryName(name);
  if (!s.ok()) return s;
  const std::string path = RegistryPath(dir, name);
  UringReactor& ring = ex.uring();
  auto fd = ring.OpenAt(AT_FDCWD, path, O_RDONLY, 0);
  if (!fd.ok()) return fd.status();
  UniqueFd owned(*fd);
  IoBuffer buf = IoBuffer::Allocate(kPrefix + kMaxAddress);
  auto n = ring.Read(owned.get(), buf, buf.size(), 0);
  if (!n.ok()) return n.status();
  return ParseEntry({buf.data(), *n}, path);
}

Result<std::vector<std::byte>> ReadAddressBlocking(const std::string& dir, const std::string& name) {
  Status s = ValidateRegistryName(name);
  if (!s.ok()) return s;
  const std::string path = RegistryPath(dir, name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(errno, "registry: opening " + path);
  std::vector<std::byte> buf(kPrefix + kMaxAddress);
  ssize_t n = ::read(fd.get(), buf.data(), buf.size());
  if (n < 0) return Status::FromErrno(errno, "registry: reading " + path);
  return ParseEntry({buf.data(), static_cast<size_t>(n)}, path);
}

Result<std::vector<std::byte>> WaitForAddress(Executor& ex, const std::string& dir,
                                              const std::string& name, TimePoint deadline) {
  while (true) {
    auto r = ReadAddress(ex, dir, name);
    if (r.ok() || r.status().code() != StatusCode::kNotFound) return r;
    if (Now() >= deadline) {
      return Status::TimedOut("registry entry " + RegistryPath(dir, name) +
                                               " did not appear before the deadline");
    }
    ex.SleepFor(std::chrono::milliseconds(10));
  }
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Chunk file names and data directory preparation (start-up only: plain syscalls).
#include "storage/chunk_layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "storage/file_id.h"

namespace benchfs {
namespace {

Status Unusable(const std::string& data_dir, const std::string& what, int err) {
  std::string hint;
  switch (err) {
    case EROFS: hint = "the file system is read-only; choose a writable data_dir"; break;
    case EACCES:
    case EPERM: hint = "permission denied; choose a data_dir this user can write"; break;
    case ENOSPC:
    case EDQUOT: hint = "the file system is full; free space or choose another data_dir"; break;
    case EMFILE:
    case ENFILE: hint = "too many open files; raise ulimit -n"; break;
    case ENOTDIR: hint = "a component of data_dir is not a directory"; break;
    default: hint = "choose another data_dir"; break;
  }
  Status s = Status::FromErrno(err, what);
  return Status(s.code(), "data_dir '" + data_dir + "' is not usable: " + s.message() + "; " + hint, err);
}

}  // namespace

std::string ShardDirName(unsigned shard) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string{kDigits[(shard >> 4) & 0xf], kDigits[shard & 0xf]};
}

std::string ChunkFileName(uint64_t file_id, uint64_t index) {
  std::string s = ShardDirName(ShardOf(file_id));
  s += '/';
  s += FileIdHex(file_id);
  s += '.';
  if (index == kOwnerRecordIndex) {
    s += "path";
  } else {
    s += std::to_string(index);
  }
  return s;
}

Result<UniqueFd> PrepareDataDir(const std::string& data_dir, bool direct_io) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Unusable(data_dir, "creating it", ec.value());
  const std::string chunks = data_dir + "/chunks";
  if (::mkdir(chunks.c_str(), 0755) != 0 && errno != EEXIST) {
    return Unusable(data_dir, "mkdir " + chunks, errno);
  }
  UniqueFd dir(::open(chunks.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return Unusable(data_dir, "opening " + chunks, errno);
  for (unsigned s = 0; s < kChunkShards; ++s) {
    const std::string name = ShardDirName(s);
    if (::mkdirat(dir.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
      return Unusable(data_dir, "mkdir " + chunks + "/" + name, errno);
    }
  }
  // Probe: the first write must not be the first to find out.
  const std::string probe = ".probe-" + std::to_string(::getpid());
  int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (direct_io ? O_DIRECT : 0);
  UniqueFd fd(::openat(dir.get(), probe.c_str(), flags, 0644));
  if (!fd.valid()) {
    const int err = errno;
    if (direct_io && err == EINVAL) {
      return Status::InvalidArgument("data_dir '" + data_dir + "' does not support O_DIRECT (open: EINVAL); "
                    "set direct_io = false or use another file system", err);
    }
    return Unusable(data_dir, "creating a probe file in " + chunks, err);
  }
  void* block = std::aligned_alloc(4096, 4096);
  std::memset(block, 0, 4096);
  const ssize_t n = ::pwrite(fd.get(), block, 4096, 0);
  const int werr = errno;
  std::free(block);
  const int sync_ok = n == 4096 ? ::fdatasync(fd.get()) : 0;
  const int serr = errno;
  fd.reset();
  ::unlinkat(dir.get(), probe.c_str(), 0);
  if (n < 0) return Unusable(data_dir, "writing a probe file in " + chunks, werr);
  if (n != 4096) return Unusable(data_dir, "writing a probe file in " + chunks + " (short write)", ENOSPC);
  if (sync_ok != 0) return Unusable(data_dir, "syncing a probe file in " + chunks, serr);
  if (::fsync(dir.get()) != 0) return Unusable(data_dir, "syncing " + chunks, errno);
  UniqueFd top(::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (top.valid()) ::fsync(top.get());
  return dir;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// PosixFileIo: syscalls, retried on EINTR.
#include "storage/posix_file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace benchfs {

Result<int> PosixFileIo::OpenAt(int dirfd, const std::string& path, int flags, mode_t mode) {
  int fd;
  do fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(errno, "openat (" + path + ")");
  return fd;
}

Status PosixFileIo::Close(int fd) {
  if (::close(fd) != 0 && errno != EINTR) return Status::FromErrno(errno, "close");
  return Status();
}

Result<size_t> PosixFileIo::Read(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) {
  if (len > buf.size()) return Status::InvalidArgument("pread longer than its buffer");
  ssize_t n;
  do n = ::pread(f.index, buf.data(), len, static_cast<off_t>(offset));
  while (n < 0 && errno == EINTR);
  if (n < 0) return Status::FromErrno(errno, "pread");
  return static_cast<size_t>(n);
}

Result<size_t> PosixFileIo::Write(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) {
  if (len > buf.size()) return Status::InvalidArgument("pwrite longer than its buffer");
  ssize_t n;
  do n = ::pwrite(f.index, buf.data(), len, static_cast<off_t>(offset));
  while (n < 0 && errno == EINTR);
  if (n < 0) return Status::FromErrno(errno, "pwrite");
  return static_cast<size_t>(n);
}

Result<size_t> PosixFileIo::WriteDurable(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) {
  auto n = Write(f, buf, len, offset);
  if (!n.ok()) return n;
  Status s = Fdatasync(f);
  if (!s.ok()) return s;
  return n;
}

Status PosixFileIo::Fdatasync(FileRef f) {
  if (::fdatasync(f.index) != 0) return Status::FromErrno(errno, "fdatasync");
  return Status();
}

Status PosixFileIo::Fsync(FileRef f) {
  if (::fsync(f.index) != 0) return Status::FromErrno(errno, "fsync");
  return Status();
}

Status PosixFileIo::UnlinkAt(int dirfd, const std::string& path) {
  if (::unlinkat(dirfd, path.c_str(), 0) != 0) return Status::FromErrno(errno, "unlinkat (" + path + ")");
  return Status();
}

}  // namespace benchfs

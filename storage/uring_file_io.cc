// SPDX-License-Identifier: BSD-3-Clause
// UringFileIo: each call is one reactor operation.
#include "storage/uring_file_io.h"

#include "runtime/uring_reactor.h"

namespace benchfs {

Result<int> UringFileIo::OpenAt(int dirfd, const std::string& path, int flags, mode_t mode) {
  return ex_.uring().OpenAt(dirfd, path, flags, mode);
}
Status UringFileIo::Close(int fd) { return ex_.uring().Close(fd); }
Result<size_t> UringFileIo::Read(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) {
  return ex_.uring().Read(f, buf, len, offset);
}
Result<size_t> UringFileIo::Write(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) {
  return ex_.uring().Write(f, buf, len, offset);
}
Result<size_t> UringFileIo::WriteDurable(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) {
  return ex_.uring().WriteDurable(f, buf, len, offset);
}
Status UringFileIo::Fdatasync(FileRef f) { return ex_.uring().Fdatasync(f); }
Status UringFileIo::Fsync(FileRef f) { return ex_.uring().Fsync(f); }
Status UringFileIo::UnlinkAt(int dirfd, const std::string& path) {
  return ex_.uring().UnlinkAt(dirfd, path, 0);
}
FixedFile UringFileIo::Register(int fd) {
  auto r = ex_.uring().RegisterFile(fd);
  return r.ok() ? std::move(r.value()) : FixedFile();
}

}  // namespace benchfs

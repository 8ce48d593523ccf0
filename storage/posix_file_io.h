// SPDX-License-Identifier: BSD-3-Clause
// PosixFileIo: FileIo as plain blocking syscalls (openat, pread, pwrite,
// fdatasync, ...) on the executor thread. The reference backend: it is what a
// simple server would do, and it blocks the event loop by definition.
#pragma once

#include "storage/file_io.h"

namespace benchfs {

class PosixFileIo final : public FileIo {
 public:
  Result<int> OpenAt(int dirfd, const std::string& path, int flags, mode_t mode) override;
  Status Close(int fd) override;
  Result<size_t> Read(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) override;
  Result<size_t> Write(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) override;
  Result<size_t> WriteDurable(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) override;
  Status Fdatasync(FileRef f) override;
  Status Fsync(FileRef f) override;
  Status UnlinkAt(int dirfd, const std::string& path) override;
  FixedFile Register(int) override { return FixedFile(); }
};

}  // namespace benchfs

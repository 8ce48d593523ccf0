// SPDX-License-Identifier: BSD-3-Clause
// UringFileIo: FileIo over the executor's io_uring reactor (fixed files,
// registered buffers when the caller's IoBuffer is one, linked write+fdatasync).
#pragma once

#include "runtime/executor.h"
#include "storage/file_io.h"

namespace benchfs {

class UringFileIo final : public FileIo {
 public:
  explicit UringFileIo(Executor& ex) : ex_(ex) {}
  Result<int> OpenAt(int dirfd, const std::string& path, int flags, mode_t mode) override;
  Status Close(int fd) override;
  Result<size_t> Read(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) override;
  Result<size_t> Write(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) override;
  Result<size_t> WriteDurable(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) override;
  Status Fdatasync(FileRef f) override;
  Status Fsync(FileRef f) override;
  Status UnlinkAt(int dirfd, const std::string& path) override;
  FixedFile Register(int fd) override;

 private:
  Executor& ex_;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// FileIo: the file system calls the disk backend makes, so one backend serves
// both `uring` (UringFileIo: every call is an io_uring operation that suspends
// only the calling fiber) and `posix` (PosixFileIo: plain syscalls that block
// the executor thread - the reference). Errors are Statuses with the errno.
#pragma once

#include <sys/types.h>

#include <string>

#include "runtime/io_buffer.h"
#include "runtime/status.h"
#include "runtime/file_ref.h"

namespace benchfs {

class FileIo {
 public:
  virtual ~FileIo() = default;
  virtual Result<int> OpenAt(int dirfd, const std::string& path, int flags, mode_t mode) = 0;
  virtual Status Close(int fd) = 0;
  virtual Result<size_t> Read(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) = 0;
  virtual Result<size_t> Write(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) = 0;
  // Write, then fdatasync; OK(n) means n bytes are durable (see
  // UringReactor::WriteDurable for short writes).
  virtual Result<size_t> WriteDurable(FileRef f, IoBuffer& buf, size_t len, uint64_t offset) = 0;
  virtual Status Fdatasync(FileRef f) = 0;
  virtual Status Fsync(FileRef f) = 0;
  virtual Status UnlinkAt(int dirfd, const std::string& path) = 0;
  // A fixed-file table entry for `fd`, or an invalid FixedFile when the table
  // is full or the implementation has none.
  virtual FixedFile Register(int fd) = 0;
};

}  // namespace benchfs

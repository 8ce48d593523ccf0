// SPDX-License-Identifier: BSD-3-Clause
// DataDirLock: one daemon per data directory. An exclusive flock(2) on
// DATA_DIR/LOCK, taken before anything in the directory is read or written
// and held for the daemon's life (released by the kernel even on kill -9).
// The lock belongs to the file, not to the name, so the same directory
// reached through a symbolic link or a bind mount is the same lock. The
// holder writes its pid into the file, so a refused second daemon can name it.
#pragma once

#include <string>

#include "runtime/status.h"
#include "runtime/unique_fd.h"

namespace benchfs {

class DataDirLock {
 public:
  // Creates data_dir if needed and takes the lock; ALREADY_EXISTS naming the
  // directory and the holder's pid if another process holds it.
  static Result<DataDirLock> Acquire(const std::string& data_dir);

  DataDirLock(DataDirLock&&) = default;
  DataDirLock& operator=(DataDirLock&&) = default;

 private:
  explicit DataDirLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace benchfs

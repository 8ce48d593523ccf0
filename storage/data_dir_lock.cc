// SPDX-License-Identifier: BSD-3-Clause
// DataDirLock: flock on DATA_DIR/LOCK, the holder's pid inside.
#include "storage/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace benchfs {

Result<DataDirLock> DataDirLock::Acquire(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Status::FromErrno(ec.value(), "data_dir '" + data_dir + "': creating it");
  const std::string path = data_dir + "/LOCK";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, "data_dir '" + data_dir + "': opening " + path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Status::FromErrno(errno, "data_dir '" + data_dir + "': locking " + path);
    char text[32] = {};
    const ssize_t n = ::pread(fd.get(), text, sizeof(text) - 1, 0);
    const std::string pid = n > 0 ? std::string(text, static_cast<size_t>(n)) : std::string();
    const std::string holder = pid.empty() || pid.back() != '\n' ? std::string("another process")
                                                                 : "process " + pid.substr(0, pid.size() - 1);
    return Status::AlreadyExists("data_dir '" + data_dir + "' is in use by " + holder + " (it holds " + path +
                      "); stop that benchfsd or choose another --data-dir");
  }
  const std::string mine = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), mine.data(), mine.size(), 0) != static_cast<ssize_t>(mine.size())) {
    return Status::FromErrno(errno, "data_dir '" + data_dir + "': writing " + path);
  }
  return DataDirLock(std::move(fd));
}

}  // namespace benchfs

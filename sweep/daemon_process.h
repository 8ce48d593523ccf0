// SPDX-License-Identifier: BSD-3-Clause
// A benchfsd child process for two-process points: started with the given
// flags, ready once it prints its readiness line (service/readiness.h),
// stopped with SIGTERM (then SIGKILL after a grace period) and always reaped,
// also when the owner is destroyed early. Its stderr goes to a log file whose
// tail is quoted when it fails to start; its stdout stays a pipe that is read
// up to the ready line.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "runtime/status.h"
#include "runtime/unique_fd.h"

namespace benchfs {

class DaemonProcess {
 public:
  static Result<std::unique_ptr<DaemonProcess>> Start(const std::string& binary,
                                                      const std::vector<std::string>& args,
                                                      const std::string& log_path, Duration ready_timeout);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  pid_t pid() const { return pid_; }
  // "127.0.0.1:40123", from its ready line.
  const std::string& address() const { return address_; }
  // SIGTERM, up to `grace` for it to exit, then SIGKILL; reaps it.
  void Stop(Duration grace);

 private:
  DaemonProcess() = default;
  bool WaitExit(Duration timeout);

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string address_;
  std::string log_path_;
  UniqueFd stdout_;  // kept open so later log lines never meet a closed pipe
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Child processes for tests. Process: a program spawned with arguments and
// extra environment, its stdout and stderr read through pipes (line by line,
// or everything so far), waited for with a timeout and never left behind
// (killed and reaped on destruction). RunInChild: a function run in a forked
// child, for checks that must not touch the test process (kill -9, seccomp
// filters, mount namespaces, rlimits).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace benchfs::testing {

class Process {
 public:
  // `args` starts with the program (looked up in PATH); `prefix` runs before
  // it (e.g. {"ip", "netns", "exec", "ns1"}); `env` entries replace
  // inherited variables of the same name.
  explicit Process(std::vector<std::string> args, std::vector<std::string> env = {},
                   std::vector<std::string> prefix = {});
  // SIGKILL, then reaps it (waiting up to 10 s).
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // -1 if it could not be started.
  pid_t pid() const { return pid_; }
  // Sends `sig` unless it has been reaped.
  void Kill(int sig);
  // The next line on stdout, or nothing if the process closes it (or the time runs out).
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Exit status (or 128 + signal), or nothing if it did not end in time.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Everything read from stdout / stderr so far (Wait() drains).
  const std::string& out() const { return out_text_; }
  const std::string& err() const { return err_text_; }

 private:
  void Drain();

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  bool exited_ = false;
  int code_ = -1;
  std::string out_text_;
  std::string err_text_;
};

// Runs `body` in a forked child and returns its exit code (128 + signal if it
// was killed). The child must not touch the parent's executors.
int RunInChild(const std::function<int()>& body);

// Exit code a child uses to say "this environment can't run the check".
inline constexpr int kChildSkip = 77;

}  // namespace benchfs::testing

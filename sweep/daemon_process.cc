// SPDX-License-Identifier: BSD-3-Clause
// Spawning, the ready handshake and stopping of benchfsd children.
#include "sweep/daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

#include "service/readiness.h"

extern char** environ;

namespace benchfs {
namespace {

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

}  // namespace

Result<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(const std::string& binary,
                                                            const std::vector<std::string>& args,
                                                            const std::string& log_path, Duration ready_timeout) {
  std::unique_ptr<DaemonProcess> d(new DaemonProcess());
  d->log_path_ = log_path;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe for benchfsd's output");
  UniqueFd read_end(out[0]);
  UniqueFd write_end(out[1]);
  UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!log.valid()) return Status::FromErrno(errno, "benchfsd log " + log_path);

  std::vector<std::string> argv_s = {binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, log.get(), STDERR_FILENO);
  const int rc = posix_spawn(&d->pid_, binary.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    d->pid_ = -1;
    return Status::FromErrno(rc, "starting " + binary + " (set its path with --benchfsd)");
  }
  write_end.reset();

  // Read stdout until the ready line, the child's exit or the timeout.
  std::string line;
  const TimePoint give_up = Now() + ready_timeout;
  while (Now() < give_up) {
    pollfd p{read_end.get(), POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    char c;
    const ssize_t n = ::read(read_end.get(), &c, 1);
    if (n <= 0) break;  // closed: it exited
    if (c != '\n') {
      line += c;
      continue;
    }
    if (auto address = ParseReadyLine(line)) {
      d->address_ = std::move(*address);
      d->stdout_ = std::move(read_end);
      return d;
    }
    line.clear();
  }
  d->Stop(std::chrono::seconds(1));
  std::string why = Tail(log_path);
  return Status::Unavailable("benchfsd did not become ready" + (why.empty() ? std::string() : ": " + why) + " (log: " + log_path + ")");
}

bool DaemonProcess::WaitExit(Duration timeout) {
  const TimePoint give_up = Now() + timeout;
  while (true) {
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      reaped_ = true;
      return true;
    }
    if (Now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void DaemonProcess::Stop(Duration grace) {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGTERM);
  if (WaitExit(grace)) return;
  ::kill(pid_, SIGKILL);
  WaitExit(std::chrono::seconds(10));
}

DaemonProcess::~DaemonProcess() { Stop(std::chrono::seconds(2)); }

}  // namespace benchfs

// Child processes for tests of the BenchFS programs: spawn with arguments and
// extra environment, read the first line a daemon prints, wait with a
// timeout, and never leave a child behind (killed on destruction).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace benchfs::testing {

class Process {
 public:
  // `prefix` runs before the program (e.g. {"ip", "netns", "exec", "ns1"}).
  Process(std::vector<std::string> args, std::vector<std::string> env = {}, std::vector<std::string> prefix = {}) {
    args.insert(args.begin(), prefix.begin(), prefix.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // `env` entries replace inherited variables of the same name.
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string var(*e);
      const std::string name = var.substr(0, var.find('='));
      bool replaced = false;
      for (const auto& x : env) replaced |= x.compare(0, name.size() + 1, name + "=") == 0;
      if (!replaced) envs.push_back(var);
    }
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    if (posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Process() {
    Kill(SIGKILL);
    Wait(std::chrono::seconds(10));
    if (out_ >= 0) ::close(out_);
    if (err_ >= 0) ::close(err_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Kill(int sig) {
    if (pid_ > 0 && !exited_) ::kill(pid_, sig);
  }
  // The next line on stdout, or nothing if the process closes it (or the time runs out).
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::string line;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char c;
      ssize_t n = ::read(out_, &c, 1);
      if (n <= 0) return std::nullopt;
      if (c == '\n') return line;
      line += c;
    }
    return std::nullopt;
  }
  // Exit status (or 128 + signal), or nothing if it did not end in time.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    if (pid_ <= 0) return std::nullopt;
    if (exited_) return code_;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (true) {
      Drain();
      int st = 0;
      pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        code_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        Drain();
        return code_;
      }
      if (std::chrono::steady_clock::now() >= end) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Everything read from stdout / stderr so far (Wait() drains).
  const std::string& out() const { return out_text_; }
  const std::string& err() const { return err_text_; }

 private:
  void Drain() {
    for (auto [fd, text] : {std::pair{out_, &out_text_}, std::pair{err_, &err_text_}}) {
      char buf[4096];
      pollfd p{fd, POLLIN, 0};
      while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n <= 0) break;
        text->append(buf, static_cast<size_t>(n));
      }
    }
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  bool exited_ = false;
  int code_ = -1;
  std::string out_text_;
  std::string err_text_;
};

// Flags every benchfsd a test starts needs: the daemon refuses to run as root
// unless given --allow-root, and CI runs the tests as root.
inline std::vector<std::string> PrivilegeFlags() {
  if (::geteuid() == 0) return {"--allow-root"};
  return {};
}

// `args` (program first) with the privilege flags appended.
inline std::vector<std::string> WithPrivilegeFlags(std::vector<std::string> args) {
  for (auto& f : PrivilegeFlags()) args.push_back(f);
  return args;
}

inline std::string TempDir(const char* tag) {
  std::string t = "/tmp/benchfs-" + std::string(tag) + "-XXXXXX";
  return mkdtemp(t.data()) != nullptr ? t : "";
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace benchfs::testing

// SPDX-License-Identifier: BSD-3-Clause
// Two "hosts" on one machine for tests: two network namespaces joined by a
// veth pair with an address on each end, removed on destruction; and a guard
// that moves the calling thread into a namespace (threads it starts later,
// UCX's included, inherit it) and back. Where namespaces cannot be created
// (no CAP_NET_ADMIN), ok() is false and `why` says so.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace benchfs::testing {

inline int Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// Two namespaces and a veth pair between them, removed on destruction.
class TwoHosts {
 public:
  TwoHosts() {
    const std::string id = std::to_string(getpid() % 100000);
    server_ns = "bfs-s" + id;
    client_ns = "bfs-c" + id;
    server_dev = "vs" + id;
    client_dev = "vc" + id;
    const int subnet = 10 + getpid() % 200;
    server_ip = "10.213." + std::to_string(subnet) + ".1";
    client_ip = "10.213." + std::to_string(subnet) + ".2";
    if (Sh("ip netns add " + server_ns) != 0) {
      why = "cannot create network namespaces here (ip netns add failed: needs root / CAP_NET_ADMIN)";
      return;
    }
    created_ = true;
    const bool ok =
        Sh("ip netns add " + client_ns) == 0 &&
        Sh("ip link add " + server_dev + " type veth peer name " + client_dev) == 0 &&
        Sh("ip link set " + server_dev + " netns " + server_ns) == 0 &&
        Sh("ip link set " + client_dev + " netns " + client_ns) == 0 &&
        Sh("ip -n " + server_ns + " addr add " + server_ip + "/24 dev " + server_dev) == 0 &&
        Sh("ip -n " + client_ns + " addr add " + client_ip + "/24 dev " + client_dev) == 0 &&
        Sh("ip -n " + server_ns + " link set " + server_dev + " up") == 0 &&
        Sh("ip -n " + client_ns + " link set " + client_dev + " up") == 0 &&
        Sh("ip -n " + server_ns + " link set lo up") == 0 && Sh("ip -n " + client_ns + " link set lo up") == 0;
    if (!ok) why = "could not build the veth pair between the namespaces (ip link failed)";
  }
  ~TwoHosts() {
    if (!created_) return;
    Sh("ip netns del " + server_ns);
    Sh("ip netns del " + client_ns);
  }
  bool ok() const { return why.empty(); }

  std::string why;
  std::string server_ns, client_ns, server_dev, client_dev, server_ip, client_ip;

 private:
  bool created_ = false;
};

// Enters network namespace `name` the way `ip netns exec` does, from the
// calling thread of a process that has not started other threads yet: the
// thread's network namespace, plus a private mount namespace with /sys
// mounted afresh, so that device lists (UCX reads /sys/class/net) are the
// namespace's. Threads started afterwards (UCX's included) inherit both. On
// destruction the network namespace is restored; the private mount namespace
// stays until the process ends (it only differs from the host's in /sys).
class EnterNetns {
 public:
  explicit EnterNetns(const std::string& name) {
    saved_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    if (saved_ < 0 || target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
      why_ = "cannot enter network namespace " + name + ": " + std::strerror(errno);
    } else {
      entered_ = true;
      if (::unshare(CLONE_NEWNS) != 0 || ::mount("", "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0 ||
          ::umount2("/sys", MNT_DETACH) != 0 || ::mount("sysfs", "/sys", "sysfs", 0, nullptr) != 0) {
        why_ = "cannot remount /sys for network namespace " + name + ": " + std::strerror(errno);
      }
    }
    if (target >= 0) ::close(target);
  }
  ~EnterNetns() {
    if (entered_) ::setns(saved_, CLONE_NEWNET);
    if (saved_ >= 0) ::close(saved_);
  }
  EnterNetns(const EnterNetns&) = delete;
  EnterNetns& operator=(const EnterNetns&) = delete;
  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }

 private:
  int saved_ = -1;
  bool entered_ = false;
  std::string why_;
};

}  // namespace benchfs::testing

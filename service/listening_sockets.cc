// SPDX-License-Identifier: BSD-3-Clause
// Listening sockets from /proc/self/fd and /proc/self/net/tcp{,6}; the
// interface of an address from getifaddrs(3).
#include "service/listening_sockets.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace benchfs {

namespace {

std::set<unsigned long> OwnSocketInodes() {
  std::set<unsigned long> inodes;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    std::error_code lec;
    const std::string target = std::filesystem::read_symlink(e.path(), lec).string();
    if (lec || target.rfind("socket:[", 0) != 0) continue;
    inodes.insert(std::stoul(target.substr(8)));
  }
  return inodes;
}

// "0100007F:1C24" (tcp) or 32 hex digits (tcp6) in /proc's byte order.
std::string DecodeProcAddress(const std::string& hex, bool v6) {
  char text[INET6_ADDRSTRLEN] = {};
  if (!v6) {
    in_addr a{};
    a.s_addr = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
    inet_ntop(AF_INET, &a, text, sizeof(text));
  } else {
    in6_addr a{};
    for (int word = 0; word < 4; ++word) {
      const uint32_t w = static_cast<uint32_t>(std::stoul(hex.substr(word * 8, 8), nullptr, 16));
      std::memcpy(&a.s6_addr[word * 4], &w, 4);
    }
    inet_ntop(AF_INET6, &a, text, sizeof(text));
  }
  return text;
}

void ReadTable(const char* path, bool v6, const std::set<unsigned long>& inodes,
               std::vector<ListeningSocket>* out) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // column names
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string slot, local, remote, state, queues, timer, retr, uid, timeout, inode;
    if (!(f >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >> inode)) continue;
    if (state != "0A" || !inodes.count(std::stoul(inode))) continue;  // 0A: LISTEN
    const size_t colon = local.find(':');
    if (colon == std::string::npos) continue;
    ListeningSocket s;
    s.address = DecodeProcAddress(local.substr(0, colon), v6);
    s.port = static_cast<unsigned>(std::stoul(local.substr(colon + 1), nullptr, 16));
    out->push_back(s);
  }
}

}  // namespace

std::string ListeningSocket::ToString() const {
  return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::vector<ListeningSocket> OwnListeningSockets() {
  const std::set<unsigned long> inodes = OwnSocketInodes();
  std::vector<ListeningSocket> out;
  try {
    ReadTable("/proc/self/net/tcp", false, inodes, &out);
    ReadTable("/proc/self/net/tcp6", true, inodes, &out);
  } catch (const std::exception&) {
    // A line /proc did not write as documented: report what was read.
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.port < b.port; });
  return out;
}

std::string InterfaceHolding(const std::string& ip) {
  in6_addr a6{};
  in_addr a4{};
  const bool v4 = inet_pton(AF_INET, ip.c_str(), &a4) == 1;
  const bool v6 = !v4 && inet_pton(AF_INET6, ip.c_str(), &a6) == 1;
  if (!v4 && !v6) return "";
  if (v4 && (ntohl(a4.s_addr) >> 24) == 127) return "lo";
  if (v6 && IN6_IS_ADDR_LOOPBACK(&a6)) return "lo";
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string name;
  for (ifaddrs* i = list; i != nullptr && name.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    if (v4 && i->ifa_addr->sa_family == AF_INET &&
        reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr == a4.s_addr) {
      name = i->ifa_name;
    } else if (v6 && i->ifa_addr->sa_family == AF_INET6 &&
               std::memcmp(&reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, &a6, sizeof(a6)) == 0) {
      name = i->ifa_name;
    }
  }
  freeifaddrs(list);
  return name;
}

}  // namespace benchfs

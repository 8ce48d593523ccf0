// SPDX-License-Identifier: BSD-3-Clause
// Which TCP ports this process listens on, read from /proc: the daemon reports
// them (its own bootstrap port and any UCX transport opened) in its start-up
// log and in STATUS, so a user can check it listens only where it was told.
#pragma once

#include <string>
#include <vector>

namespace benchfs {

struct ListeningSocket {
  std::string address;  // "127.0.0.1" or "::1"
  unsigned port = 0;
  std::string ToString() const;  // "127.0.0.1:7100" / "[::1]:7100"
};

// The listening TCP sockets (IPv4 and IPv6) this process holds a descriptor
// of, sorted by port. Empty if /proc cannot be read.
std::vector<ListeningSocket> OwnListeningSockets();

// The network interface that holds `ip` (a numeric address): "lo" for
// loopback addresses, "" for a wildcard address or one no interface holds.
std::string InterfaceHolding(const std::string& ip);

}  // namespace benchfs

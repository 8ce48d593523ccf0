// SPDX-License-Identifier: BSD-3-Clause
// NetAddress: "host:port" parsed and resolved to a socket address, the form
// UCX listeners and client endpoints take.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "runtime/status.h"

namespace benchfs {

struct NetAddress {
  std::string host;
  uint16_t port = 0;
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage); }
  std::string ToString() const;  // "host:port" ("[v6]:port" for IPv6 literals)
};

// Splits "host:port" ("[::1]:port" for IPv6). The port must be 0..65535.
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& text);
// Resolves host (name or literal) numerically or through getaddrinfo. Call at
// start-up, not from the event loop: name lookup may block.
Result<NetAddress> ResolveAddress(const std::string& host, uint16_t port);
// The port a socket address carries.
uint16_t PortOf(const sockaddr_storage& ss);

}  // namespace benchfs

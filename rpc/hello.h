// SPDX-License-Identifier: BSD-3-Clause
// The HELLO exchange and the shared token it carries.
//
// A server configured with a token (RpcServerConfig::token) serves nothing on
// a connection until that connection has sent a HELLO whose token matches:
// any other request first - or a HELLO with a wrong token - is answered
// PERMISSION_DENIED and counted (`denied`), and after a wrong token the
// connection stays refused (reconnect to try again). A server without a token
// answers every HELLO OK. Clients with a token send HELLO as the first call of
// every connection (RpcClientConfig::token).
//
// HELLO is also how the server learns where to reply: it carries the
// client's UCX worker address, and the server answers every request of the
// connection through an endpoint of its own to that address (one with an
// error handler, so a client that dies is noticed and its state freed).
// Every connection therefore starts with a HELLO, with or without a token;
// any other request first is answered PERMISSION_DENIED.
//
// HELLO request operation header: u16 token length, token bytes (at most
// kMaxTokenLength), u8 flags (1: the client's transports can report a dead
// peer, so the server's endpoint may ask UCX to), u32 address length, the client's worker address (1 to
// kMaxHelloAddress bytes). Reply: empty.
//
// The token comes from a file (`--token-file`) that must be a regular file
// owned by the user running the program and readable by that user only (mode
// 0600 or 0400); anything else is refused with a message saying what to fix.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/status.h"

namespace benchfs {

inline constexpr size_t kMaxTokenLength = 1024;
inline constexpr size_t kMaxHelloAddress = 64 * 1024;

struct Hello {
  std::string token;
  std::vector<std::byte> address;  // the client's UCX worker address
  bool peer_failure_detection = true;
};

std::vector<std::byte> EncodeHello(const Hello& h);
Result<Hello> DecodeHello(std::span<const std::byte> header);

// Compares in time that depends on the lengths only, not on where the first
// difference is.
bool TokensEqual(std::string_view a, std::string_view b);

// Reads a token file: checks ownership and mode, strips one trailing newline
// (and a carriage return before it), refuses an empty or oversize token.
Result<std::string> LoadTokenFile(const std::string& path);

}  // namespace benchfs

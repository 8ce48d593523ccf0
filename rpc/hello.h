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
// HELLO request operation header: u16 token length, token bytes (at most
// kMaxTokenLength). Reply: empty.
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

std::vector<std::byte> EncodeHello(std::string_view token);
Result<std::string> DecodeHello(std::span<const std::byte> header);

// Compares in time that depends on the lengths only, not on where the first
// difference is.
bool TokensEqual(std::string_view a, std::string_view b);

// Reads a token file: checks ownership and mode, strips one trailing newline
// (and a carriage return before it), refuses an empty or oversize token.
Result<std::string> LoadTokenFile(const std::string& path);

}  // namespace benchfs

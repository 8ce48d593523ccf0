// SPDX-License-Identifier: BSD-3-Clause
// The bootstrap protocol: how a client turns a daemon's host:port into the
// daemon's UCX worker address.
//
// UCX 1.13's own listener (ucp_listener) aborts the process on a malformed
// connection request, so it never faces the network. Instead the daemon's
// --listen port speaks this small protocol over plain TCP; the client then
// connects to the worker address with UCX, and the HELLO exchange
// (rpc/hello.h) still guards the UCX connection itself.
//
// Request (client -> server), little-endian:
//   0 "BFSBOOT1" (8 bytes)   8 u16 version (1)   10 u16 flags (0)
//   12 u32 token length (<= kMaxTokenLength), then the token bytes
// Reply (server -> client):
//   0 "BFSBOOT1"   8 u16 version (1)   10 u16 status (StatusCode)
//   12 u32 body length (<= kMaxBootstrapBody), then the body: the worker
//   address when the status is OK, else the error message.
//
// One request and one reply per TCP connection; the server closes it after
// replying. Both decoders take the bytes received so far and say whether the
// frame is complete, needs more bytes, or is invalid (and why), so neither
// side ever trusts a length before checking it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/clock.h"
#include "runtime/status.h"

namespace benchfs {

class Executor;
struct NetAddress;

inline constexpr size_t kBootstrapHeaderSize = 16;
inline constexpr uint16_t kBootstrapVersion = 1;
inline constexpr size_t kMaxBootstrapBody = 64 * 1024;

struct BootstrapFrame {
  enum class State { kIncomplete, kComplete, kInvalid };
  State state = State::kIncomplete;
  size_t frame_size = 0;  // once the header is in: header + body
  uint16_t status = 0;    // replies: the StatusCode
  std::string_view body;  // kComplete: token (requests) or address / message (replies)
  std::string error;      // kInvalid: what is wrong
};

std::vector<std::byte> EncodeBootstrapRequest(std::string_view token);
std::vector<std::byte> EncodeBootstrapReply(const Status& status, std::span<const std::byte> address);
BootstrapFrame DecodeBootstrapRequest(std::span<const std::byte> in);
BootstrapFrame DecodeBootstrapReply(std::span<const std::byte> in);

// From a fiber of `ex`: asks the bootstrap server at `addr` for its worker
// address, presenting `token` (may be empty). Never blocks the loop; fails
// with TIMED_OUT at `deadline`, UNAVAILABLE when nothing listens there or the
// peer does not speak the protocol, or the server's own error (e.g.
// PERMISSION_DENIED for a wrong token).
Result<std::vector<std::byte>> FetchWorkerAddress(Executor& ex, const NetAddress& addr,
                                                  std::string_view token, TimePoint deadline);
// The same outside any event loop (poll(2) waits).
Result<std::vector<std::byte>> FetchWorkerAddressBlocking(const NetAddress& addr, std::string_view token,
                                                          TimePoint deadline);

}  // namespace benchfs

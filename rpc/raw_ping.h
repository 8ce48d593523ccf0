// SPDX-License-Identifier: BSD-3-Clause
// The raw UCX echo: the server side of BenchFS's network floor. An active
// message echoed by the server's worker from inside its AM callback (no
// fiber, no RPC header, no admission). The client that measures against it
// is floor/network_floor.h.
#pragma once

#include <cstddef>

#include "runtime/status.h"
#include "runtime/ucx_reactor.h"

namespace benchfs {

inline constexpr unsigned kAmRawEcho = 0x5245;
inline constexpr unsigned kAmRawEchoReply = 0x5246;

// The echo's reply for a request of `length` bytes whose AM header is
// `header`: the number of bytes to send back.
size_t RawEchoReplyLength(const void* header, size_t header_length, size_t length);

// Registers the echo on a reactor's worker. A request whose AM header is 4
// bytes asks for a reply of that many bytes (so one-way payloads, like a
// write's or a read's, can be floored); otherwise the payload is echoed.
// Replies are sent from inside the UCX callback, straight from the received
// data (UcxReactor::SendAmFromCallback: no copy when UCX sends at once).
Status InstallRawEcho(UcxReactor& ucx);

}  // namespace benchfs

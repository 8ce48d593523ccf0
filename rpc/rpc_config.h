// SPDX-License-Identifier: BSD-3-Clause
// Configuration of the RPC server and client, with validation that names the
// knob and its allowed range.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rpc/wire.h"
#include "runtime/clock.h"
#include "runtime/status.h"

namespace benchfs {

// How payloads travel: UCX's choice by size, or forced.
enum class DataProtocol : unsigned char { kAuto, kEager, kRndv };
std::string_view DataProtocolName(DataProtocol p);
Result<DataProtocol> ParseDataProtocol(std::string_view text);  // auto | eager | rndv
// The ucp_am_send_nbx flags that force the protocol (0 = UCX's choice).
uint32_t AmSendFlags(DataProtocol p);

struct RpcServerConfig {
  // Requests in flight at once; beyond this the server answers BUSY.
  uint32_t max_inflight = 256;
  // Share of max_inflight one connection may hold; 0 = all of it.
  uint32_t max_inflight_per_conn = 0;
  WireLimits limits;
  DataProtocol protocol = DataProtocol::kAuto;  // for reply payloads
  // How long sending one reply may take before the server gives up on it.
  Duration reply_timeout = std::chrono::seconds(10);
  // Shared token (rpc/hello.h): when set, a connection is served only after
  // a HELLO carrying it. Empty: no authentication.
  std::string token;
  // Run handlers registered as HandlerMode::kInline inside the UCX callback
  // (rpc/server.h); false runs every handler in a fiber.
  bool inline_handlers = true;

  Status Validate() const;
  uint32_t per_conn_limit() const {
    return max_inflight_per_conn == 0 ? max_inflight : max_inflight_per_conn;
  }
};

struct RpcClientConfig {
  Duration call_timeout = std::chrono::seconds(5);     // default deadline of a call
  Duration connect_timeout = std::chrono::seconds(10);
  // BUSY answers are retried this many times, backing off from min to max.
  uint32_t busy_retries = 200;
  Duration busy_backoff_min = std::chrono::microseconds(20);
  Duration busy_backoff_max = std::chrono::milliseconds(2);
  WireLimits limits;
  DataProtocol protocol = DataProtocol::kAuto;  // for request payloads
  // Shared token sent in a HELLO as the first call of every connection
  // (rpc/hello.h); empty: a PING proves the path instead.
  std::string token;

  Status Validate() const;
};

}  // namespace benchfs

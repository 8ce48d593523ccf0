// SPDX-License-Identifier: BSD-3-Clause
// Validation and parsing for the RPC configuration.
#include "rpc/rpc_config.h"

#include <ucp/api/ucp.h>

#include <string>

#include "rpc/hello.h"
#include "runtime/executor_config.h"

namespace benchfs {

std::string_view DataProtocolName(DataProtocol p) {
  switch (p) {
    case DataProtocol::kAuto: return "auto";
    case DataProtocol::kEager: return "eager";
    case DataProtocol::kRndv: return "rndv";
  }
  return "?";
}

Result<DataProtocol> ParseDataProtocol(std::string_view text) {
  if (text == "auto") return DataProtocol::kAuto;
  if (text == "eager") return DataProtocol::kEager;
  if (text == "rndv") return DataProtocol::kRndv;
  return Status::InvalidArgument("protocol '" + std::string(text) + "' is unknown: use auto, eager or rndv");
}

uint32_t AmSendFlags(DataProtocol p) {
  switch (p) {
    case DataProtocol::kAuto: return 0;
    case DataProtocol::kEager: return UCP_AM_SEND_FLAG_EAGER;
    case DataProtocol::kRndv: return UCP_AM_SEND_FLAG_RNDV;
  }
  return 0;
}

namespace {

Status Range(std::string_view knob, uint64_t v, uint64_t lo, uint64_t hi) {
  if (v >= lo && v <= hi) return Status();
  return Status::InvalidArgument(std::string(knob) + " = " + std::to_string(v) +
                                                  " is out of range: allowed " +
                                                  std::to_string(lo) + ".." + std::to_string(hi));
}

Status DurationRange(std::string_view knob, Duration v, Duration lo, Duration hi) {
  if (v >= lo && v <= hi) return Status();
  return Status::InvalidArgument(std::string(knob) + " = " + FormatDuration(v) +
                                                  " is out of range: allowed " + FormatDuration(lo) +
                                                  ".." + FormatDuration(hi));
}

Status CheckLimits(const WireLimits& l) {
  Status s = Range("max_header", l.max_header, 0, 1u << 20);
  if (!s.ok()) return s;
  return Range("max_payload", l.max_payload, 0, 0xffffffffull);
}

Status CheckToken(const std::string& token) {
  if (token.size() <= kMaxTokenLength) return Status();
  return Status::InvalidArgument("token is " + std::to_string(token.size()) +
                                                  " bytes; at most " + std::to_string(kMaxTokenLength) +
                                                  " are allowed");
}

}  // namespace

Status RpcServerConfig::Validate() const {
  Status s = Range("max_inflight", max_inflight, 1, 1u << 20);
  if (s.ok()) s = Range("max_inflight_per_conn", max_inflight_per_conn, 0, max_inflight);
  if (s.ok()) s = CheckLimits(limits);
  if (s.ok()) {
    s = DurationRange("reply_timeout", reply_timeout, std::chrono::milliseconds(1),
                      std::chrono::hours(1));
  }
  if (s.ok()) s = CheckToken(token);
  return s;
}

Status RpcClientConfig::Validate() const {
  Status s = DurationRange("call_timeout", call_timeout, std::chrono::microseconds(1),
                           std::chrono::hours(24));
  if (s.ok()) {
    s = DurationRange("connect_timeout", connect_timeout, std::chrono::milliseconds(1),
                      std::chrono::hours(1));
  }
  if (s.ok()) s = Range("busy_retries", busy_retries, 0, 1u << 20);
  if (s.ok()) {
    s = DurationRange("busy_backoff_min", busy_backoff_min, Duration(0), std::chrono::seconds(1));
  }
  if (s.ok()) {
    s = DurationRange("busy_backoff_max", busy_backoff_max, busy_backoff_min,
                      std::chrono::seconds(10));
  }
  if (s.ok()) s = CheckLimits(limits);
  if (s.ok()) s = CheckToken(token);
  return s;
}

}  // namespace benchfs

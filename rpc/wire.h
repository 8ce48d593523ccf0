// SPDX-License-Identifier: BSD-3-Clause
// The BenchFS wire format. Every message is one UCP active message:
//
//   AM header = fixed 32-byte header | operation header (header_len bytes)
//   AM data   = payload (payload_len bytes; eager or rendezvous)
//
// Fixed header, little-endian:
//   0  u32 magic 0x31534642 ("BFS1")   4  u8 version (2)   5  u8 opcode
//   6  u16 flags (bit 0: reply, bit 1: trace - rpc/trace.h)   8  u64 correlation id
//   16 u16 status (StatusCode; replies) 18 u16 errno (a failed reply's POSIX errno, 0 if none;
//                                              0 in requests and successful replies)
//   20 u32 header_len                  24 u32 payload_len   28 u32 reserved (0)
//
// A reply carries the request's opcode and correlation id. A reply whose
// status is not OK carries the error message as its operation header and the
// error's errno (Status::sys_errno) in the fixed header, so a client can tell
// ENOTDIR from EISDIR. Version 2 added that errno and the namespace opcodes.
// DecodeHeader validates everything before any field is trusted; sizes are
// bounded by WireLimits (operation header, payload), so one request can never
// make a peer allocate more than the limits it configured.
//
// Operation headers: PING (payload echoed) and STATUS (reply payload: u16
// count, then count x (u16 name length, name, u64 value)) are the server's
// own (rpc/server.h); HELLO carries the shared token (rpc/hello.h); the
// file-system operations are in service/ops.h. When the server has a token,
// a connection's first request must be a valid HELLO: anything else is
// answered PERMISSION_DENIED.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "runtime/status.h"

namespace benchfs {

enum class Opcode : uint8_t {
  kPing = 1,
  kStatus = 2,
  kWriteChunk = 3,
  kReadChunk = 4,
  kMetaCreate = 5,
  kMetaStat = 6,
  kMetaDelete = 7,
  kMetaUpdate = 8,
  kFsync = 9,
  kShutdown = 10,
  kHello = 11,
  kRemove = 12,
  kFloor = 13,
  kMetaRename = 14,
  kMetaPut = 15,
  kMetaUnlink = 16,
  kReaddir = 17,
  kStatFs = 18,
  kTruncateChunks = 19,
  kNsEpoch = 20,
};
inline constexpr size_t kOpcodeSlots = 32;  // opcodes are < this

std::string_view OpcodeName(Opcode op);
std::string OpcodeName(uint8_t raw);

inline constexpr uint32_t kWireMagic = 0x31534642;
inline constexpr uint8_t kWireVersion = 3;
inline constexpr size_t kWireHeaderSize = 32;
inline constexpr uint16_t kWireFlagReply = 1;

// UCP active-message ids.
inline constexpr unsigned kAmRequest = 0x4246;  // client -> server
inline constexpr unsigned kAmReply = 0x4247;    // server -> client

struct WireHeader {
  uint8_t opcode = 0;
  uint16_t flags = 0;
  uint64_t correlation_id = 0;
  StatusCode status = StatusCode::kOk;
  uint16_t sys_errno = 0;  // failed replies only
  uint32_t header_len = 0;
  uint32_t payload_len = 0;

  bool is_reply() const { return flags & kWireFlagReply; }
};

struct WireLimits {
  // Room for the largest operation header - a path of up to 4096 bytes (the
  // stores' max_path_length, which then names the limit) plus fixed fields -
  // within UCX's largest active-message header (about 8 KiB).
  uint32_t max_header = 6144;
  uint64_t max_payload = 64ull << 20;
};

// The errno a failed reply carries for `s` (0: OK, none, or out of u16 range).
inline uint16_t WireErrno(const Status& s) {
  return s.ok() || s.sys_errno() <= 0 || s.sys_errno() > 0xffff ? 0 : static_cast<uint16_t>(s.sys_errno());
}

void EncodeHeader(const WireHeader& h, std::byte out[kWireHeaderSize]);

// The outcome of decoding one message. When `status` is not OK and
// `identified` is set, opcode and correlation id are known (magic and version
// were right), so the sender can be answered with an error.
struct DecodedHeader {
  Status status;
  bool identified = false;
  WireHeader header;
};

// am_header: the whole AM header; am_payload_len: the AM data length.
DecodedHeader DecodeHeader(std::span<const std::byte> am_header, size_t am_payload_len,
                           const WireLimits& limits);

}  // namespace benchfs

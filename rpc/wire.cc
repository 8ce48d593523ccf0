// SPDX-License-Identifier: BSD-3-Clause
// Wire header encoding and validation.
#include "rpc/wire.h"

#include <cstdio>

#include "rpc/codec.h"

namespace benchfs {

std::string_view OpcodeName(Opcode op) {
  switch (op) {
    case Opcode::kPing: return "ping";
    case Opcode::kStatus: return "status";
    case Opcode::kWriteChunk: return "write_chunk";
    case Opcode::kReadChunk: return "read_chunk";
    case Opcode::kMetaCreate: return "meta_create";
    case Opcode::kMetaStat: return "meta_stat";
    case Opcode::kMetaDelete: return "meta_delete";
    case Opcode::kMetaUpdate: return "meta_update";
    case Opcode::kFsync: return "fsync";
    case Opcode::kShutdown: return "shutdown";
    case Opcode::kHello: return "hello";
    case Opcode::kRemove: return "remove";
    case Opcode::kFloor: return "floor";
    case Opcode::kMetaRename: return "meta_rename";
    case Opcode::kMetaPut: return "meta_put";
    case Opcode::kMetaUnlink: return "meta_unlink";
    case Opcode::kReaddir: return "readdir";
    case Opcode::kStatFs: return "statfs";
    case Opcode::kTruncateChunks: return "truncate_chunks";
    case Opcode::kNsEpoch: return "ns_epoch";
  }
  return "unknown";
}

std::string OpcodeName(uint8_t raw) {
  std::string_view n = OpcodeName(static_cast<Opcode>(raw));
  if (n != "unknown") return std::string(n);
  return "opcode " + std::to_string(raw);
}

void EncodeHeader(const WireHeader& h, std::byte out[kWireHeaderSize]) {
  PutLE<uint32_t>(out + 0, kWireMagic);
  PutLE<uint8_t>(out + 4, kWireVersion);
  PutLE<uint8_t>(out + 5, h.opcode);
  PutLE<uint16_t>(out + 6, h.flags);
  PutLE<uint64_t>(out + 8, h.correlation_id);
  PutLE<uint16_t>(out + 16, static_cast<uint16_t>(h.status));
  PutLE<uint16_t>(out + 18, h.sys_errno);
  PutLE<uint32_t>(out + 20, h.header_len);
  PutLE<uint32_t>(out + 24, h.payload_len);
  PutLE<uint32_t>(out + 28, 0);
}

DecodedHeader DecodeHeader(std::span<const std::byte> am, size_t am_payload_len,
                           const WireLimits& limits) {
  DecodedHeader d;
  auto fail = [&](std::string msg) {
    d.status = Status::ProtocolError(std::move(msg));
    return d;
  };
  if (am.size() < kWireHeaderSize) {
    return fail("truncated header: " + std::to_string(am.size()) + " bytes, need " +
                std::to_string(kWireHeaderSize));
  }
  const std::byte* p = am.data();
  const uint32_t magic = GetLE<uint32_t>(p);
  if (magic != kWireMagic) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "bad magic 0x%08x (expected 0x%08x)", magic, kWireMagic);
    return fail(buf);
  }
  const uint8_t version = GetLE<uint8_t>(p + 4);
  if (version != kWireVersion) {
    return fail("unsupported wire version " + std::to_string(version) + " (this build speaks " +
                std::to_string(kWireVersion) + ")");
  }
  WireHeader& h = d.header;
  h.opcode = GetLE<uint8_t>(p + 5);
  h.flags = GetLE<uint16_t>(p + 6);
  h.correlation_id = GetLE<uint64_t>(p + 8);
  const uint16_t status = GetLE<uint16_t>(p + 16);
  h.header_len = GetLE<uint32_t>(p + 20);
  h.payload_len = GetLE<uint32_t>(p + 24);
  d.identified = true;
  if (status > static_cast<uint16_t>(StatusCode::kInternal)) {
    return fail("unknown status code " + std::to_string(status));
  }
  h.status = static_cast<StatusCode>(status);
  h.sys_errno = GetLE<uint16_t>(p + 18);
  if (h.sys_errno != 0 && (!h.is_reply() || h.status == StatusCode::kOk)) {
    return fail("an errno in a request or a successful reply");
  }
  if (GetLE<uint32_t>(p + 28) != 0) {
    return fail("reserved header fields are not zero");
  }
  if (h.header_len > limits.max_header) {
    return fail("declared header length " + std::to_string(h.header_len) + " exceeds the limit " +
                std::to_string(limits.max_header));
  }
  if (h.payload_len > limits.max_payload) {
    return fail("declared payload length " + std::to_string(h.payload_len) + " exceeds the limit " +
                std::to_string(limits.max_payload));
  }
  if (am.size() - kWireHeaderSize != h.header_len) {
    return fail("declared header length " + std::to_string(h.header_len) + " but " +
                std::to_string(am.size() - kWireHeaderSize) + " bytes arrived");
  }
  if (am_payload_len != h.payload_len) {
    return fail("declared payload length " + std::to_string(h.payload_len) + " but " +
                std::to_string(am_payload_len) + " bytes arrived");
  }
  return d;
}

}  // namespace benchfs

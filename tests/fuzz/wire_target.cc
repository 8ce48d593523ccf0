// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target `wire`: one active message as a peer receives it. The input is
// the AM header (the fixed header and header_len bytes of operation header,
// cut short if the input is) followed by the AM data (the payload).
#include <cstring>
#include <span>
#include <vector>

#include "rpc/codec.h"
#include "rpc/hello.h"
#include "rpc/server.h"
#include "rpc/wire.h"
#include "service/ops.h"
#include "storage/path_name.h"
#include "tests/fuzz/fuzz_targets.h"

namespace benchfs::fuzz {
namespace {

using Bytes = std::span<const std::byte>;

bool Same(const std::vector<std::byte>& a, Bytes b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool SameInode(const Inode& a, const Inode& b) {
  return a.id == b.id && a.type == b.type && a.size == b.size && a.mode == b.mode &&
         a.ctime_ns == b.ctime_ns && a.mtime_ns == b.mtime_ns;
}

// What the server does next with a decoded path.
void Validate(const std::string& path) { (void)ValidatePath(path); }

std::string Request(Opcode op, Bytes h) {
  switch (op) {
    case Opcode::kWriteChunk: {
      auto r = DecodeChunkRef(h);
      if (!r.ok()) return "";
      Validate(r->path);
      return Same(EncodeChunkRef(*r), h) ? "" : "write_chunk request does not re-encode to its bytes";
    }
    case Opcode::kReadChunk: {
      auto r = DecodeReadChunk(h);
      if (!r.ok()) return "";
      Validate(r->chunk.path);
      return Same(EncodeReadChunk(*r), h) ? "" : "read_chunk request does not re-encode to its bytes";
    }
    case Opcode::kMetaCreate: {
      auto r = DecodeCreate(h);
      if (!r.ok()) return "";
      Validate(r->path);
      return Same(EncodeCreate(*r), h) ? "" : "meta_create request does not re-encode to its bytes";
    }
    case Opcode::kMetaStat:
    case Opcode::kMetaDelete:
    case Opcode::kFsync: {
      auto r = DecodePath(h, "path");
      if (!r.ok()) return "";
      Validate(*r);
      return Same(EncodePath(*r), h) ? "" : "path request does not re-encode to its bytes";
    }
    case Opcode::kMetaUpdate: {
      auto r = DecodeUpdate(h);
      if (!r.ok()) return "";
      Validate(r->path);
      auto again = DecodeUpdate(EncodeUpdate(*r));
      if (!again.ok()) return "re-encoded meta_update request does not decode: " + again.status().message();
      const InodeUpdate& a = r->update;
      const InodeUpdate& b = again->update;
      const bool same = again->path == r->path && a.size == b.size && a.truncate == b.truncate && a.mode == b.mode;
      return same ? "" : "meta_update request decodes differently after re-encoding";
    }
    case Opcode::kHello: {
      auto r = DecodeHello(h);
      if (!r.ok()) return "";
      (void)TokensEqual(r->token, "fuzz");
      return Same(EncodeHello(*r), h) ? "" : "hello request does not re-encode to its bytes";
    }
    case Opcode::kFloor: {
      auto r = DecodeFloor(h);
      if (!r.ok()) return "";
      return Same(EncodeFloor(*r), h) ? "" : "floor request does not re-encode to its bytes";
    }
    case Opcode::kRemove: {
      auto r = DecodeRemove(h);
      if (!r.ok()) return "";
      Validate(r->path);
      return Same(EncodeRemove(*r), h) ? "" : "remove request does not re-encode to its bytes";
    }
    case Opcode::kMetaRename: {
      auto r = DecodeRename(h);
      if (!r.ok()) return "";
      Validate(r->from);
      Validate(r->to);
      return Same(EncodeRename(*r), h) ? "" : "meta_rename request does not re-encode to its bytes";
    }
    case Opcode::kMetaPut: {
      auto r = DecodePut(h);
      if (!r.ok()) return "";
      Validate(r->path);
      return Same(EncodePut(*r), h) ? "" : "meta_put request does not re-encode to its bytes";
    }
    case Opcode::kMetaUnlink: {
      auto r = DecodeUnlink(h);
      if (!r.ok()) return "";
      Validate(r->path);
      return Same(EncodeUnlink(*r), h) ? "" : "meta_unlink request does not re-encode to its bytes";
    }
    case Opcode::kReaddir: {
      auto r = DecodeReaddir(h);
      if (!r.ok()) return "";
      Validate(r->dir);
      return Same(EncodeReaddir(*r), h) ? "" : "readdir request does not re-encode to its bytes";
    }
    case Opcode::kTruncateChunks: {
      auto r = DecodeTruncateChunks(h);
      if (!r.ok()) return "";
      Validate(r->path);
      return Same(EncodeTruncateChunks(*r), h) ? "" : "truncate_chunks request does not re-encode to its bytes";
    }
    case Opcode::kNsEpoch: {
      auto r = DecodeNsEpoch(h);
      if (!r.ok()) return "";
      return Same(EncodeNsEpoch(*r), h) ? "" : "ns_epoch request does not re-encode to its bytes";
    }
    case Opcode::kPing:
    case Opcode::kStatus:
    case Opcode::kShutdown:
    case Opcode::kStatFs:
      return "";
  }
  return "";
}

std::string Reply(Opcode op, Bytes h, Bytes payload) {
  switch (op) {
    case Opcode::kWriteChunk:
    case Opcode::kReadChunk: {
      auto r = DecodeCount(h, "count");
      if (!r.ok()) return "";
      return Same(EncodeCount(*r), h) ? "" : "count reply does not re-encode to its bytes";
    }
    case Opcode::kMetaCreate:
    case Opcode::kMetaStat:
    case Opcode::kMetaUpdate: {
      auto r = DecodeInode(h);
      if (!r.ok()) return "";
      auto again = DecodeInode(EncodeInode(*r));
      if (!again.ok() || !SameInode(*again, *r)) return "inode reply does not round-trip";
      return Same(EncodeInode(*r), h) ? "" : "inode reply does not re-encode to its bytes";
    }
    case Opcode::kStatus: {
      auto r = DecodeCounters(payload);
      if (!r.ok()) return "";
      auto again = DecodeCounters(EncodeCounters(*r));
      if (!again.ok() || *again != *r) return "STATUS counters do not round-trip";
      return "";
    }
    case Opcode::kFloor: {
      auto r = DecodeFloorFigures(h);
      if (!r.ok()) return "";
      return Same(EncodeFloorFigures(*r), h) ? "" : "floor reply does not re-encode to its bytes";
    }
    case Opcode::kRemove: {
      auto r = DecodeRemoveCounts(h);
      if (!r.ok()) return "";
      return Same(EncodeRemoveCounts(*r), h) ? "" : "remove reply does not re-encode to its bytes";
    }
    case Opcode::kMetaRename:
    case Opcode::kMetaPut: {
      auto r = DecodeMove(h);
      if (!r.ok()) return "";
      auto again = DecodeMove(EncodeMove(*r));
      if (!again.ok() || !SameInode(again->inode, r->inode) || again->replaced.has_value() != r->replaced.has_value() ||
          (r->replaced && !SameInode(*again->replaced, *r->replaced))) {
        return "move reply does not round-trip";
      }
      return "";
    }
    case Opcode::kMetaUnlink: {
      auto r = DecodeInode(h);
      if (!r.ok()) return "";
      return Same(EncodeInode(*r), h) ? "" : "meta_unlink reply does not re-encode to its bytes";
    }
    case Opcode::kReaddir: {
      auto r = DecodeChildPage(h);
      if (!r.ok()) return "";
      return Same(EncodeChildPage(*r), h) ? "" : "readdir reply does not re-encode to its bytes";
    }
    case Opcode::kStatFs: {
      auto r = DecodeFsStats(h);
      if (!r.ok()) return "";
      return Same(EncodeFsStats(*r), h) ? "" : "statfs reply does not re-encode to its bytes";
    }
    case Opcode::kPing:
    case Opcode::kMetaDelete:
    case Opcode::kFsync:
    case Opcode::kShutdown:
    case Opcode::kHello:
    case Opcode::kTruncateChunks:
      return "";
    case Opcode::kNsEpoch: {
      auto r = DecodeEpoch(h);
      if (!r.ok()) return "";
      return Same(EncodeEpoch(*r), h) ? "" : "ns_epoch reply does not re-encode to its bytes";
    }
  }
  return "";
}

}  // namespace

std::string CheckWire(const uint8_t* data, size_t size) {
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  size_t am_header = size;
  if (size >= kWireHeaderSize) {
    const uint64_t declared = GetLE<uint32_t>(bytes + 20);
    am_header = static_cast<size_t>(std::min<uint64_t>(size, kWireHeaderSize + declared));
  }
  const Bytes header(bytes, am_header);
  const Bytes payload(bytes + am_header, size - am_header);
  const DecodedHeader d = DecodeHeader(header, payload.size(), WireLimits{});
  if (!d.status.ok()) {
    if (d.status.message().empty()) return "a rejected message has no reason";
    return "";
  }
  std::byte again[kWireHeaderSize];
  EncodeHeader(d.header, again);
  if (std::memcmp(again, bytes, kWireHeaderSize) != 0) return "fixed header does not re-encode to its bytes";
  if (d.header.opcode >= kOpcodeSlots) return "";
  const auto op = static_cast<Opcode>(d.header.opcode);
  const Bytes op_header = header.subspan(kWireHeaderSize);
  if (!d.header.is_reply()) return Request(op, op_header);
  if (d.header.status != StatusCode::kOk) return "";  // the header is the error message
  return Reply(op, op_header, payload);
}

}  // namespace benchfs::fuzz

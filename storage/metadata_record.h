// SPDX-License-Identifier: BSD-3-Clause
// Metadata log records: how one change to the metadata store is framed on
// disk. The log is a header followed by records:
//
//   header   8 bytes  "BFSMLOG1"
//   record   u32 crc  CRC-32C of everything after it (len, type, payload)
//            u32 len  payload length
//            u8  type 1 = PUT (the inode's full state), 2 = DELETE
//            payload  PUT:    u64 id, u8 inode type, u32 mode, u64 size,
//                             i64 ctime_ns, i64 mtime_ns, u16 path length, path
//                     DELETE: u64 id, u16 path length, path
//
// Little-endian. Replaying PUTs and DELETEs in order rebuilds the map; each
// record is idempotent, so a replayed prefix is always a consistent state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/inode.h"

namespace benchfs {

inline constexpr std::string_view kMetaLogMagic = "BFSMLOG1";
inline constexpr size_t kMetaRecordHeader = 9;  // crc + len + type

enum class MetaRecordType : uint8_t { kPut = 1, kDelete = 2 };

struct MetaRecord {
  MetaRecordType type = MetaRecordType::kPut;
  std::string path;
  Inode inode;  // PUT: the full inode; DELETE: only id is used
};

// Appends the framed record to `out`.
void EncodeMetaRecord(MetaRecordType type, std::string_view path, const Inode& inode,
                      std::string* out);

enum class DecodeOutcome { kOk, kIncomplete, kCorrupt };

// Decodes the record at the start of `data`. kOk sets *out and *consumed;
// kIncomplete means `data` ends inside the record; kCorrupt sets *why.
DecodeOutcome DecodeMetaRecord(std::string_view data, MetaRecord* out, size_t* consumed,
                               std::string* why);

}  // namespace benchfs

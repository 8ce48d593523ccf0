// SPDX-License-Identifier: BSD-3-Clause
// The operation headers of BenchFS's file-system RPCs, as carried in the wire
// format's operation header (rpc/wire.h). Encoders append little-endian
// fields; decoders check every length and return PROTOCOL_ERROR naming the
// operation and the field that did not fit.
//
//   WRITE_CHUNK  request  path, index u64, offset u64         payload: the bytes
//                reply    written u64
//   READ_CHUNK   request  path, index u64, offset u64, length u32
//                reply    read u64                             payload: the bytes
//   META_CREATE  request  path, type u8, mode u32              reply: inode
//   META_STAT    request  path                                 reply: inode
//   META_DELETE  request  path                                 reply: -
//   META_UPDATE  request  path, flags u8 (1 size, 2 truncate, 4 mode), size u64, mode u32
//                reply    inode
//   FSYNC        request  path ("" = everything)               reply: -
//   FLOOR        request  kind u8 (1 data, 2 log append), size u64, count u32, files u32
//                reply    write p50 u64, write p99 u64, read p50 u64, read p99 u64 (ns; a log
//                         append is reported as a write; all 0: no such storage on this server)
//   REMOVE       request  flags u8 (1 prefix, 2 metadata too), path
//                reply    metadata entries removed u64, files whose chunks were removed u64
//   SHUTDOWN     request  -                                    reply: -
//   META_RENAME  request  from path, to path                   reply: move
//   META_PUT     request  path, inode                          reply: move
//   META_UNLINK  request  path, kind u8 (0 any, 1 file, 2 directory), expected id u64 (0 any)
//                reply    the removed inode
//   READDIR      request  directory path, start after (a name, "" = first), limit u32
//                reply    count u32, count x (name, inode), more u8 (0/1)
//   STATFS       request  -
//                reply    total bytes u64, free bytes u64, metadata entries u64, chunk size u64
//   TRUNCATE_CHUNKS request path (the chunk name), size u64    reply: -
// Paths and names are u16 length + bytes; an inode is id u64, type u8, size
// u64, mode u32, ctime i64, mtime i64; a move is the inode now at the new
// name, replaced u8 (0/1), and the replaced inode (all zero, type 1, when 0).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/status.h"
#include "storage/inode.h"
#include "storage/metadata_store.h"

namespace benchfs {

struct ChunkRef {
  std::string path;
  uint64_t index = 0;
  uint64_t offset = 0;
};

struct ReadChunkArgs {
  ChunkRef chunk;
  uint32_t length = 0;
};

struct CreateArgs {
  std::string path;
  InodeType type = InodeType::kFile;
  uint32_t mode = 0644;
  // Non-zero: the server's namespace epoch the client checked the parent
  // directory under (NS_EPOCH); a server whose epoch has moved since refuses
  // the create (BUSY, ESTALE) and the client checks the parent again.
  uint64_t expect_epoch = 0;
};

struct UpdateArgs {
  std::string path;
  InodeUpdate update;
};

// REMOVE: the chunks this server holds of `path` (or of every path starting
// with it), and with `metadata` its metadata entries too.
struct RemoveArgs {
  std::string path;
  bool prefix = false;
  bool metadata = false;
};

struct RemoveCounts {
  uint64_t metadata_entries = 0;
  uint64_t files = 0;
};

// FLOOR: the server measures its own bare storage (floor/storage_floor.h).
enum class FloorKind : uint8_t { kData = 1, kLogAppend = 2 };
inline constexpr uint32_t kMaxFloorCount = 100000;

struct FloorArgs {
  FloorKind kind = FloorKind::kData;
  uint64_t size = 4096;
  uint32_t count = 1000;
  uint32_t files = 64;  // data: distinct files overwritten in turn (the benchmark's --files)
};
inline constexpr uint32_t kMaxFloorFiles = 4096;

struct FloorFigures {
  uint64_t write_p50_ns = 0;
  uint64_t write_p99_ns = 0;
  uint64_t read_p50_ns = 0;
  uint64_t read_p99_ns = 0;
};

struct RenameArgs {
  std::string from;
  std::string to;
};

struct PutArgs {
  std::string path;
  Inode inode;
};

struct UnlinkArgs {
  std::string path;
  UnlinkKind kind = UnlinkKind::kAny;
  uint64_t expect_id = 0;
};

struct ReaddirArgs {
  std::string dir;
  std::string start_after;
  uint32_t limit = 0;
};

struct TruncateChunksArgs {
  std::string path;
  uint64_t size = 0;
};

// STATFS: what one server holds and can hold.
struct FsStats {
  uint64_t total_bytes = 0;  // of the data dir's file system (memory backend: memory_limit)
  uint64_t free_bytes = 0;
  uint64_t files = 0;        // metadata entries
  uint64_t chunk_size = 0;
};

std::vector<std::byte> EncodeRename(const RenameArgs& a);
Result<RenameArgs> DecodeRename(std::span<const std::byte> in);
std::vector<std::byte> EncodePut(const PutArgs& a);
Result<PutArgs> DecodePut(std::span<const std::byte> in);
std::vector<std::byte> EncodeMove(const MoveResult& m);
Result<MoveResult> DecodeMove(std::span<const std::byte> in);
std::vector<std::byte> EncodeUnlink(const UnlinkArgs& a);
Result<UnlinkArgs> DecodeUnlink(std::span<const std::byte> in);
std::vector<std::byte> EncodeReaddir(const ReaddirArgs& a);
Result<ReaddirArgs> DecodeReaddir(std::span<const std::byte> in);
std::vector<std::byte> EncodeChildPage(const ChildPage& p);
Result<ChildPage> DecodeChildPage(std::span<const std::byte> in);
std::vector<std::byte> EncodeTruncateChunks(const TruncateChunksArgs& a);
Result<TruncateChunksArgs> DecodeTruncateChunks(std::span<const std::byte> in);
std::vector<std::byte> EncodeFsStats(const FsStats& s);
Result<FsStats> DecodeFsStats(std::span<const std::byte> in);

std::vector<std::byte> EncodeChunkRef(const ChunkRef& r);
Result<ChunkRef> DecodeChunkRef(std::span<const std::byte> in);
std::vector<std::byte> EncodeReadChunk(const ReadChunkArgs& r);
Result<ReadChunkArgs> DecodeReadChunk(std::span<const std::byte> in);
std::vector<std::byte> EncodeCreate(const CreateArgs& a);
// NS_EPOCH: the server's namespace epoch, moved first when `bump` is set.
std::vector<std::byte> EncodeNsEpoch(bool bump);
Result<bool> DecodeNsEpoch(std::span<const std::byte> in);
std::vector<std::byte> EncodeEpoch(uint64_t epoch);
Result<uint64_t> DecodeEpoch(std::span<const std::byte> in);
Result<CreateArgs> DecodeCreate(std::span<const std::byte> in);
std::vector<std::byte> EncodePath(const std::string& path);
Result<std::string> DecodePath(std::span<const std::byte> in, const char* op);
std::vector<std::byte> EncodeUpdate(const UpdateArgs& a);
Result<UpdateArgs> DecodeUpdate(std::span<const std::byte> in);
std::vector<std::byte> EncodeInode(const Inode& i);
Result<Inode> DecodeInode(std::span<const std::byte> in);
std::vector<std::byte> EncodeRemove(const RemoveArgs& a);
Result<RemoveArgs> DecodeRemove(std::span<const std::byte> in);
std::vector<std::byte> EncodeRemoveCounts(const RemoveCounts& c);
Result<RemoveCounts> DecodeRemoveCounts(std::span<const std::byte> in);
std::vector<std::byte> EncodeFloor(const FloorArgs& a);
Result<FloorArgs> DecodeFloor(std::span<const std::byte> in);
std::vector<std::byte> EncodeFloorFigures(const FloorFigures& f);
Result<FloorFigures> DecodeFloorFigures(std::span<const std::byte> in);
std::vector<std::byte> EncodeCount(uint64_t n);
Result<uint64_t> DecodeCount(std::span<const std::byte> in, const char* op);

}  // namespace benchfs

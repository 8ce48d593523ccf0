// SPDX-License-Identifier: BSD-3-Clause
// Encoding and checked decoding of the file-system operation headers.
#include "service/ops.h"

#include "rpc/codec.h"

namespace benchfs {
namespace {

Status Malformed(const char* op, const char* what) {
  return Status::ProtocolError(std::string("malformed ") + op + " header: " + what);
}

// Decoded field by field; `Done` insists every byte was consumed.
Status Done(const WireReader& r, const char* op) {
  if (!r.ok()) return Malformed(op, "truncated");
  if (r.remaining() != 0) return Malformed(op, "trailing bytes");
  return Status();
}

constexpr size_t kInodeBytes = 8 + 1 + 8 + 4 + 8 + 8;

void PutInode(WireWriter& w, const Inode& i) {
  w.Put<uint64_t>(i.id);
  w.Put<uint8_t>(static_cast<uint8_t>(i.type));
  w.Put<uint64_t>(i.size);
  w.Put<uint32_t>(i.mode);
  w.Put<int64_t>(i.ctime_ns);
  w.Put<int64_t>(i.mtime_ns);
}

// Reads an inode; false (and r's error) when its type byte is unknown.
bool GetInode(WireReader& r, Inode* i) {
  uint8_t type = 0;
  r.Get(&i->id);
  r.Get(&type);
  r.Get(&i->size);
  r.Get(&i->mode);
  r.Get(&i->ctime_ns);
  r.Get(&i->mtime_ns);
  if (!r.ok()) return true;  // truncated: Done() says so
  if (type != static_cast<uint8_t>(InodeType::kFile) && type != static_cast<uint8_t>(InodeType::kDirectory)) {
    return false;
  }
  i->type = static_cast<InodeType>(type);
  return true;
}

}  // namespace

std::vector<std::byte> EncodeRename(const RenameArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(a.from);
  w.PutString(a.to);
  return out;
}

Result<RenameArgs> DecodeRename(std::span<const std::byte> in) {
  WireReader r(in);
  RenameArgs a;
  r.GetString(&a.from);
  r.GetString(&a.to);
  Status s = Done(r, "meta_rename");
  if (!s.ok()) return s;
  return a;
}

std::vector<std::byte> EncodePut(const PutArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(a.path);
  PutInode(w, a.inode);
  return out;
}

Result<PutArgs> DecodePut(std::span<const std::byte> in) {
  WireReader r(in);
  PutArgs a;
  r.GetString(&a.path);
  if (!GetInode(r, &a.inode)) return Malformed("meta_put", "unknown inode type");
  Status s = Done(r, "meta_put");
  if (!s.ok()) return s;
  return a;
}

std::vector<std::byte> EncodeMove(const MoveResult& m) {
  std::vector<std::byte> out;
  WireWriter w(out);
  PutInode(w, m.inode);
  w.Put<uint8_t>(m.replaced ? 1 : 0);
  PutInode(w, m.replaced.value_or(Inode{}));
  return out;
}

Result<MoveResult> DecodeMove(std::span<const std::byte> in) {
  WireReader r(in);
  MoveResult m;
  uint8_t replaced = 0;
  Inode old;
  if (!GetInode(r, &m.inode)) return Malformed("move reply", "unknown inode type");
  r.Get(&replaced);
  if (!GetInode(r, &old)) return Malformed("move reply", "unknown inode type");
  Status s = Done(r, "move reply");
  if (!s.ok()) return s;
  if (replaced > 1) return Malformed("move reply", "replaced flag is not 0 or 1");
  if (replaced == 1) m.replaced = old;
  return m;
}

std::vector<std::byte> EncodeUnlink(const UnlinkArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(a.path);
  w.Put<uint8_t>(static_cast<uint8_t>(a.kind));
  w.Put<uint64_t>(a.expect_id);
  return out;
}

Result<UnlinkArgs> DecodeUnlink(std::span<const std::byte> in) {
  WireReader r(in);
  UnlinkArgs a;
  uint8_t kind = 0;
  r.GetString(&a.path);
  r.Get(&kind);
  r.Get(&a.expect_id);
  Status s = Done(r, "meta_unlink");
  if (!s.ok()) return s;
  if (kind > 2) return Malformed("meta_unlink", "unknown kind");
  a.kind = static_cast<UnlinkKind>(kind);
  return a;
}

std::vector<std::byte> EncodeReaddir(const ReaddirArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(a.dir);
  w.PutString(a.start_after);
  w.Put<uint32_t>(a.limit);
  return out;
}

Result<ReaddirArgs> DecodeReaddir(std::span<const std::byte> in) {
  WireReader r(in);
  ReaddirArgs a;
  r.GetString(&a.dir);
  r.GetString(&a.start_after);
  r.Get(&a.limit);
  Status s = Done(r, "readdir");
  if (!s.ok()) return s;
  return a;
}

std::vector<std::byte> EncodeChildPage(const ChildPage& p) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint32_t>(static_cast<uint32_t>(p.entries.size()));
  for (const ChildEntry& e : p.entries) {
    w.PutString(e.name);
    PutInode(w, e.inode);
  }
  w.Put<uint8_t>(p.more ? 1 : 0);
  return out;
}

Result<ChildPage> DecodeChildPage(std::span<const std::byte> in) {
  WireReader r(in);
  ChildPage p;
  uint32_t count = 0;
  r.Get(&count);
  // Each entry takes at least a length and an inode: a count the bytes cannot
  // hold is refused before anything is reserved.
  if (!r.ok() || count > r.remaining() / (2 + kInodeBytes)) return Malformed("readdir reply", "count exceeds the bytes");
  p.entries.resize(count);
  for (ChildEntry& e : p.entries) {
    r.GetString(&e.name);
    if (!GetInode(r, &e.inode)) return Malformed("readdir reply", "unknown inode type");
  }
  uint8_t more = 0;
  r.Get(&more);
  Status s = Done(r, "readdir reply");
  if (!s.ok()) return s;
  if (more > 1) return Malformed("readdir reply", "more flag is not 0 or 1");
  p.more = more == 1;
  return p;
}

std::vector<std::byte> EncodeTruncateChunks(const TruncateChunksArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(a.path);
  w.Put<uint64_t>(a.size);
  return out;
}

Result<TruncateChunksArgs> DecodeTruncateChunks(std::span<const std::byte> in) {
  WireReader r(in);
  TruncateChunksArgs a;
  r.GetString(&a.path);
  r.Get(&a.size);
  Status s = Done(r, "truncate_chunks");
  if (!s.ok()) return s;
  return a;
}

std::vector<std::byte> EncodeFsStats(const FsStats& f) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint64_t>(f.total_bytes);
  w.Put<uint64_t>(f.free_bytes);
  w.Put<uint64_t>(f.files);
  w.Put<uint64_t>(f.chunk_size);
  return out;
}

Result<FsStats> DecodeFsStats(std::span<const std::byte> in) {
  WireReader r(in);
  FsStats f;
  r.Get(&f.total_bytes);
  r.Get(&f.free_bytes);
  r.Get(&f.files);
  r.Get(&f.chunk_size);
  Status s = Done(r, "statfs reply");
  if (!s.ok()) return s;
  return f;
}

std::vector<std::byte> EncodeChunkRef(const ChunkRef& c) {
  std::vector<std::byte> out;
  out.reserve(c.path.size() + 18);
  WireWriter w(out);
  w.PutString(c.path);
  w.Put<uint64_t>(c.index);
  w.Put<uint64_t>(c.offset);
  return out;
}

Result<ChunkRef> DecodeChunkRef(std::span<const std::byte> in) {
  WireReader r(in);
  ChunkRef c;
  r.GetString(&c.path);
  r.Get(&c.index);
  r.Get(&c.offset);
  Status s = Done(r, "write_chunk");
  if (!s.ok()) return s;
  return c;
}

std::vector<std::byte> EncodeReadChunk(const ReadChunkArgs& a) {
  std::vector<std::byte> out = EncodeChunkRef(a.chunk);
  WireWriter w(out);
  w.Put<uint32_t>(a.length);
  return out;
}

Result<ReadChunkArgs> DecodeReadChunk(std::span<const std::byte> in) {
  WireReader r(in);
  ReadChunkArgs a;
  r.GetString(&a.chunk.path);
  r.Get(&a.chunk.index);
  r.Get(&a.chunk.offset);
  r.Get(&a.length);
  Status s = Done(r, "read_chunk");
  if (!s.ok()) return s;
  return a;
}

std::vector<std::byte> EncodeCreate(const CreateArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(a.path);
  w.Put<uint8_t>(static_cast<uint8_t>(a.type));
  w.Put<uint32_t>(a.mode);
  w.Put<uint64_t>(a.expect_epoch);
  return out;
}

std::vector<std::byte> EncodeNsEpoch(bool bump) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint8_t>(bump ? 1 : 0);
  return out;
}

Result<bool> DecodeNsEpoch(std::span<const std::byte> in) {
  WireReader r(in);
  uint8_t bump = 0;
  r.Get(&bump);
  Status s = Done(r, "ns_epoch");
  if (!s.ok()) return s;
  if (bump > 1) return Malformed("ns_epoch", "bump is neither 0 nor 1");
  return bump == 1;
}

std::vector<std::byte> EncodeEpoch(uint64_t epoch) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint64_t>(epoch);
  return out;
}

Result<uint64_t> DecodeEpoch(std::span<const std::byte> in) {
  WireReader r(in);
  uint64_t epoch = 0;
  r.Get(&epoch);
  Status s = Done(r, "ns_epoch reply");
  if (!s.ok()) return s;
  return epoch;
}

Result<CreateArgs> DecodeCreate(std::span<const std::byte> in) {
  WireReader r(in);
  CreateArgs a;
  uint8_t type = 0;
  r.GetString(&a.path);
  r.Get(&type);
  r.Get(&a.mode);
  r.Get(&a.expect_epoch);
  Status s = Done(r, "meta_create");
  if (!s.ok()) return s;
  if (type != static_cast<uint8_t>(InodeType::kFile) && type != static_cast<uint8_t>(InodeType::kDirectory)) {
    return Malformed("meta_create", "unknown inode type");
  }
  a.type = static_cast<InodeType>(type);
  return a;
}

std::vector<std::byte> EncodePath(const std::string& path) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(path);
  return out;
}

Result<std::string> DecodePath(std::span<const std::byte> in, const char* op) {
  WireReader r(in);
  std::string path;
  r.GetString(&path);
  Status s = Done(r, op);
  if (!s.ok()) return s;
  return path;
}

std::vector<std::byte> EncodeUpdate(const UpdateArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(a.path);
  uint8_t flags = 0;
  if (a.update.size) flags |= 1;
  if (a.update.truncate) flags |= 2;
  if (a.update.mode) flags |= 4;
  w.Put<uint8_t>(flags);
  w.Put<uint64_t>(a.update.size.value_or(0));
  w.Put<uint32_t>(a.update.mode.value_or(0));
  return out;
}

Result<UpdateArgs> DecodeUpdate(std::span<const std::byte> in) {
  WireReader r(in);
  UpdateArgs a;
  uint8_t flags = 0;
  uint64_t size = 0;
  uint32_t mode = 0;
  r.GetString(&a.path);
  r.Get(&flags);
  r.Get(&size);
  r.Get(&mode);
  Status s = Done(r, "meta_update");
  if (!s.ok()) return s;
  if (flags & ~7u) return Malformed("meta_update", "unknown flags");
  if (flags & 1) a.update.size = size;
  a.update.truncate = flags & 2;
  if (flags & 4) a.update.mode = mode;
  return a;
}

std::vector<std::byte> EncodeInode(const Inode& i) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint64_t>(i.id);
  w.Put<uint8_t>(static_cast<uint8_t>(i.type));
  w.Put<uint64_t>(i.size);
  w.Put<uint32_t>(i.mode);
  w.Put<int64_t>(i.ctime_ns);
  w.Put<int64_t>(i.mtime_ns);
  return out;
}

Result<Inode> DecodeInode(std::span<const std::byte> in) {
  WireReader r(in);
  Inode i;
  uint8_t type = 0;
  r.Get(&i.id);
  r.Get(&type);
  r.Get(&i.size);
  r.Get(&i.mode);
  r.Get(&i.ctime_ns);
  r.Get(&i.mtime_ns);
  Status s = Done(r, "inode");
  if (!s.ok()) return s;
  if (type != static_cast<uint8_t>(InodeType::kFile) && type != static_cast<uint8_t>(InodeType::kDirectory)) {
    return Malformed("inode", "unknown inode type");
  }
  i.type = static_cast<InodeType>(type);
  return i;
}

std::vector<std::byte> EncodeRemove(const RemoveArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint8_t>(static_cast<uint8_t>((a.prefix ? 1 : 0) | (a.metadata ? 2 : 0)));
  w.PutString(a.path);
  return out;
}

Result<RemoveArgs> DecodeRemove(std::span<const std::byte> in) {
  WireReader r(in);
  uint8_t flags = 0;
  RemoveArgs a;
  r.Get(&flags);
  r.GetString(&a.path);
  Status s = Done(r, "remove");
  if (!s.ok()) return s;
  if (flags & ~3u) return Status::ProtocolError("remove: unknown flags " + std::to_string(flags));
  a.prefix = (flags & 1) != 0;
  a.metadata = (flags & 2) != 0;
  return a;
}

std::vector<std::byte> EncodeRemoveCounts(const RemoveCounts& c) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint64_t>(c.metadata_entries);
  w.Put<uint64_t>(c.files);
  return out;
}

Result<RemoveCounts> DecodeRemoveCounts(std::span<const std::byte> in) {
  WireReader r(in);
  RemoveCounts c;
  r.Get(&c.metadata_entries);
  r.Get(&c.files);
  Status s = Done(r, "remove reply");
  if (!s.ok()) return s;
  return c;
}

std::vector<std::byte> EncodeFloor(const FloorArgs& a) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint8_t>(static_cast<uint8_t>(a.kind));
  w.Put<uint64_t>(a.size);
  w.Put<uint32_t>(a.count);
  w.Put<uint32_t>(a.files);
  return out;
}

Result<FloorArgs> DecodeFloor(std::span<const std::byte> in) {
  WireReader r(in);
  uint8_t kind = 0;
  FloorArgs a;
  r.Get(&kind);
  r.Get(&a.size);
  r.Get(&a.count);
  r.Get(&a.files);
  Status s = Done(r, "floor");
  if (!s.ok()) return s;
  if (kind != 1 && kind != 2) return Status::ProtocolError("floor: unknown kind " + std::to_string(kind));
  a.kind = static_cast<FloorKind>(kind);
  if (a.count == 0 || a.count > kMaxFloorCount) {
    return Status::InvalidArgument("floor: count " + std::to_string(a.count) + " is out of range 1.." + std::to_string(kMaxFloorCount));
  }
  if (a.files == 0 || a.files > kMaxFloorFiles) {
    return Status::InvalidArgument("floor: files " + std::to_string(a.files) + " is out of range 1.." + std::to_string(kMaxFloorFiles));
  }
  return a;
}

std::vector<std::byte> EncodeFloorFigures(const FloorFigures& f) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint64_t>(f.write_p50_ns);
  w.Put<uint64_t>(f.write_p99_ns);
  w.Put<uint64_t>(f.read_p50_ns);
  w.Put<uint64_t>(f.read_p99_ns);
  return out;
}

Result<FloorFigures> DecodeFloorFigures(std::span<const std::byte> in) {
  WireReader r(in);
  FloorFigures f;
  r.Get(&f.write_p50_ns);
  r.Get(&f.write_p99_ns);
  r.Get(&f.read_p50_ns);
  r.Get(&f.read_p99_ns);
  Status s = Done(r, "floor reply");
  if (!s.ok()) return s;
  return f;
}

std::vector<std::byte> EncodeCount(uint64_t n) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint64_t>(n);
  return out;
}

Result<uint64_t> DecodeCount(std::span<const std::byte> in, const char* op) {
  WireReader r(in);
  uint64_t n = 0;
  r.Get(&n);
  Status s = Done(r, op);
  if (!s.ok()) return s;
  return n;
}

}  // namespace benchfs

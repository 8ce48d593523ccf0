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

}  // namespace

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
  return out;
}

Result<CreateArgs> DecodeCreate(std::span<const std::byte> in) {
  WireReader r(in);
  CreateArgs a;
  uint8_t type = 0;
  r.GetString(&a.path);
  r.Get(&type);
  r.Get(&a.mode);
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

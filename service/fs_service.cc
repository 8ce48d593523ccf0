// SPDX-License-Identifier: BSD-3-Clause
// FsService handlers: decode, call the store, encode the reply.
#include "service/fs_service.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "floor/storage_floor.h"
#include "rpc/trace.h"
#include "runtime/uring_reactor.h"
#include "service/ops.h"
#include "storage/file_id_allocator.h"

namespace benchfs {
namespace {

Response InodeReply(const Result<Inode>& r) {
  if (!r.ok()) return Response::Error(r.status());
  Response resp;
  resp.header = EncodeInode(*r);
  return resp;
}

Response MoveReply(const Result<MoveResult>& r) {
  if (!r.ok()) return Response::Error(r.status());
  Response resp;
  resp.header = EncodeMove(*r);
  return resp;
}

Status RootIsFixed(const char* op) {
  return Status::Busy(std::string(op) + ": the root directory '/' cannot be changed", EBUSY);
}

}  // namespace

FsService::FsService(Executor& ex, RpcServer& server, ChunkStore& chunks, MetadataStore& meta)
    : ex_(ex), server_(server), chunks_(chunks), meta_(meta), shutdown_(ex), ns_epoch_(RandomU64() | 1) {}

void FsService::Install() {
  // Inline (in the UCX callback) only what cannot block: a metadata
  // mutation waits for its log record when there is a log; a read waits for
  // the disk unless the chunks are in memory. STAT never waits.
  const HandlerMode meta_mode = meta_.options().log_path.empty() ? HandlerMode::kInline : HandlerMode::kFiber;
  const HandlerMode read_mode =
      chunks_.options().backend == ChunkBackendKind::kMemory ? HandlerMode::kInline : HandlerMode::kFiber;
  server_.Handle(Opcode::kWriteChunk, [this](Request& r) { return WriteChunk(r); });
  server_.Handle(Opcode::kReadChunk, [this](Request& r) { return ReadChunk(r); }, read_mode);
  server_.Handle(Opcode::kMetaCreate, [this](Request& r) { return Create(r); }, meta_mode);
  server_.Handle(Opcode::kMetaStat, [this](Request& r) { return Stat(r); }, HandlerMode::kInline);
  server_.Handle(Opcode::kMetaDelete, [this](Request& r) { return Delete(r); }, meta_mode);
  server_.Handle(Opcode::kMetaUpdate, [this](Request& r) { return Update(r); }, meta_mode);
  server_.Handle(Opcode::kFsync, [this](Request& r) { return Fsync(r); });
  server_.Handle(Opcode::kRemove, [this](Request& r) { return Remove(r); });
  server_.Handle(Opcode::kFloor, [this](Request& r) { return Floor(r); });
  server_.Handle(Opcode::kMetaRename, [this](Request& r) { return Rename(r); }, meta_mode);
  server_.Handle(Opcode::kMetaPut, [this](Request& r) { return Put(r); }, meta_mode);
  server_.Handle(Opcode::kMetaUnlink, [this](Request& r) { return Unlink(r); }, meta_mode);
  server_.Handle(Opcode::kReaddir, [this](Request& r) { return Readdir(r); });
  server_.Handle(Opcode::kStatFs, [this](Request& r) { return StatFs(r); });
  server_.Handle(Opcode::kTruncateChunks, [this](Request& r) { return TruncateChunks(r); });
  server_.Handle(Opcode::kNsEpoch, [this](Request& r) { return NsEpoch(r); }, HandlerMode::kInline);
  server_.Handle(Opcode::kShutdown, [this](Request&) {
    // The daemon drains requests in flight (this one included) before it
    // stops, so the reply still goes out.
    shutdown_.Set();
    return Response();
  });
  server_.SetBufferProvider([this](Opcode op, size_t len) {
    if (op == Opcode::kWriteChunk) return chunks_.AcquireBuffer(len);
    return IoBuffer::AllocateUninitialized(len, 64);
  });
  server_.AddStatusExtender([this](std::vector<std::pair<std::string, uint64_t>>& kv) {
    kv.emplace_back("chunk_size", chunks_.options().chunk_size);
    // Names travel as flag entries: "backend.uring" = 1.
    kv.emplace_back("backend." + std::string(ChunkBackendName(chunks_.options().backend)), 1);
    kv.emplace_back("durability." + std::string(DurabilityPolicyName(chunks_.durability())), 1);
    kv.emplace_back("metadata_entries", meta_.size());
    const StoreUsage u = chunks_.Usage();
    kv.emplace_back("chunk_files", u.chunk_files);
    kv.emplace_back("stored_bytes", u.bytes);
    if (BufferPool* pool = chunks_.buffers()) {
      kv.emplace_back("registered_buffers", pool->count());
      kv.emplace_back("registered_buffers_free", pool->available());
    }
  });
}

Response FsService::WriteChunk(Request& req) {
  auto ref = DecodeChunkRef(req.header);
  if (!ref.ok()) return Response::Error(ref.status());
  Status s = chunks_.Write(ref->path, ref->index, ref->offset, req.payload, req.payload_len,
                           req.timing ? &req.timing->io : nullptr);
  if (!s.ok()) return Response::Error(s);
  Response r;
  r.header = EncodeCount(req.payload_len);
  return r;
}

Response FsService::ReadChunk(Request& req) {
  auto a = DecodeReadChunk(req.header);
  if (!a.ok()) return Response::Error(a.status());
  const uint64_t limit = server_.config().limits.max_payload;
  if (a->length > limit) {
    return Response::Error(Status::InvalidArgument("read of " + std::to_string(a->length) + " bytes exceeds max_payload " +
                                      std::to_string(limit)));
  }
  IoBuffer buf = chunks_.AcquireBuffer(a->length);
  auto n = chunks_.Read(a->chunk.path, a->chunk.index, a->chunk.offset, buf, a->length,
                        req.timing ? &req.timing->io : nullptr);
  if (!n.ok()) return Response::Error(n.status());
  Response r;
  r.header = EncodeCount(*n);
  r.payload = std::move(buf);
  r.payload_len = *n;
  return r;
}

Response FsService::Create(Request& req) {
  auto a = DecodeCreate(req.header);
  if (!a.ok()) return Response::Error(a.status());
  if (a->path == "/") return Response::Error(Status::AlreadyExists("'/' already exists", EEXIST));
  if (a->expect_epoch != 0 && a->expect_epoch != ns_epoch_) {
    return Response::Error(Status::Busy("create '" + a->path + "': a directory was removed or renamed since the "
                                        "parent was checked; check it again", ESTALE));
  }
  return InodeReply(meta_.Create(a->path, a->type, a->mode, req.timing ? &req.timing->log : nullptr));
}

Response FsService::Stat(Request& req) {
  auto path = DecodePath(req.header, "meta_stat");
  if (!path.ok()) return Response::Error(path.status());
  if (*path == "/") {
    auto root = meta_.Stat(*path);
    if (root.ok()) return InodeReply(root);
    return InodeReply(Inode{kRootInodeId, 0, 0, 0, 0755, InodeType::kDirectory});
  }
  return InodeReply(meta_.Stat(*path));
}

Response FsService::Delete(Request& req) {
  auto path = DecodePath(req.header, "meta_delete");
  if (!path.ok()) return Response::Error(path.status());
  Status s = meta_.Delete(*path, req.timing ? &req.timing->log : nullptr);
  return s.ok() ? Response() : Response::Error(s);
}

Response FsService::Update(Request& req) {
  auto a = DecodeUpdate(req.header);
  if (!a.ok()) return Response::Error(a.status());
  return InodeReply(meta_.Update(a->path, a->update, req.timing ? &req.timing->log : nullptr));
}

Response FsService::Fsync(Request& req) {
  auto path = DecodePath(req.header, "fsync");
  if (!path.ok()) return Response::Error(path.status());
  if (!path->empty()) {
    Status s = chunks_.Fsync(*path);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return Response::Error(s);
  }
  Status s = meta_.Sync();
  return s.ok() ? Response() : Response::Error(s);
}

Response FsService::Floor(Request& req) {
  auto a = DecodeFloor(req.header);
  if (!a.ok()) return Response::Error(a.status());
  if (a->size == 0 || a->size > chunks_.options().chunk_size) {
    return Response::Error(Status::InvalidArgument("floor: size " + std::to_string(a->size) +
                                                                    " is out of range 1.." +
                                                                    std::to_string(chunks_.options().chunk_size)));
  }
  FloorFigures f;
  const bool disk = chunks_.options().backend != ChunkBackendKind::kMemory;
  const bool log = !meta_.options().log_path.empty();
  if (a->kind == FloorKind::kData ? disk : log) {
    StorageFloorSpec spec;
    spec.dir = chunks_.options().data_dir;
    spec.size = a->size;
    spec.count = a->count;
    spec.files = a->files;
    // The daemon's own ring set-up and durability: the floor moves with them.
    spec.ring_flags = ex_.uring().setup_flags();
    spec.io_workers = ex_.config().io_workers;
    spec.sync = (a->kind == FloorKind::kData ? chunks_.durability() : meta_.durability()) == DurabilityPolicy::kFsync;
    // One bare I/O at a time; requests of other clients run in between.
    spec.between = [this] { ex_.Yield(); };
    if (a->kind == FloorKind::kData) {
      auto m = MeasureStorageFloor(spec);
      if (!m.ok()) return Response::Error(m.status());
      f = {m->write_ns.Percentile(0.5), m->write_ns.Percentile(0.99), m->read_ns.Percentile(0.5),
           m->read_ns.Percentile(0.99)};
    } else {
      auto m = MeasureAppendFloor(spec);
      if (!m.ok()) return Response::Error(m.status());
      f.write_p50_ns = m->Percentile(0.5);
      f.write_p99_ns = m->Percentile(0.99);
    }
  }
  Response r;
  r.header = EncodeFloorFigures(f);
  return r;
}

Response FsService::Rename(Request& req) {
  auto a = DecodeRename(req.header);
  if (!a.ok()) return Response::Error(a.status());
  if (a->from == "/" || a->to == "/") return Response::Error(RootIsFixed("rename"));
  return MoveReply(meta_.Rename(a->from, a->to, req.timing ? &req.timing->log : nullptr));
}

Response FsService::Put(Request& req) {
  auto a = DecodePut(req.header);
  if (!a.ok()) return Response::Error(a.status());
  if (a->path == "/") return Response::Error(RootIsFixed("rename"));
  return MoveReply(meta_.Put(a->path, a->inode, req.timing ? &req.timing->log : nullptr));
}

Response FsService::Unlink(Request& req) {
  auto a = DecodeUnlink(req.header);
  if (!a.ok()) return Response::Error(a.status());
  if (a->path == "/") {
    if (a->kind == UnlinkKind::kFile) {
      return Response::Error(Status::InvalidArgument("unlink '/': it is a directory", EISDIR));
    }
    return Response::Error(RootIsFixed("rmdir"));
  }
  auto gone = meta_.Unlink(a->path, a->kind, a->expect_id, req.timing ? &req.timing->log : nullptr);
  // An empty file unlinked as a file: the client needs nothing back (it has
  // no chunks to remove), and an empty reply is the cheapest one.
  if (gone.ok() && a->kind == UnlinkKind::kFile && gone->size == 0) return Response();
  return InodeReply(gone);
}

Response FsService::Readdir(Request& req) {
  auto a = DecodeReaddir(req.header);
  if (!a.ok()) return Response::Error(a.status());
  auto page = meta_.Children(a->dir, a->start_after, a->limit);
  if (!page.ok()) return Response::Error(page.status());
  Response r;
  r.header = EncodeChildPage(*page);
  // The reply must fit an operation header (the limit, and UCX's largest
  // active-message header, less a trace block): cut the page there and say
  // more follows, rather than fail.
  size_t room = server_.config().limits.max_header;
  if (ex_.ucx() != nullptr) room = std::min(room, ex_.ucx()->max_am_header() - kWireHeaderSize);
  room = room > kTraceBlockSize ? room - kTraceBlockSize : 0;
  if (r.header.size() > room) {
    ChildPage cut;
    size_t bytes = 4 + 1;
    for (ChildEntry& e : page->entries) {
      bytes += 2 + e.name.size() + EncodeInode(e.inode).size();
      if (bytes > room) break;
      cut.entries.push_back(std::move(e));
    }
    if (cut.entries.empty()) {
      return Response::Error(Status::ResourceExhausted(
          "readdir of '" + a->dir + "': one entry does not fit a reply of " + std::to_string(room) +
          " bytes; raise max_header", ENOBUFS));
    }
    cut.more = true;
    r.header = EncodeChildPage(cut);
  }
  return r;
}

Response FsService::NsEpoch(Request& req) {
  auto bump = DecodeNsEpoch(req.header);
  if (!bump.ok()) return Response::Error(bump.status());
  if (*bump && ++ns_epoch_ == 0) ns_epoch_ = 1;  // 0 means "unchecked" on the wire
  Response r;
  r.header = EncodeEpoch(ns_epoch_);
  return r;
}

Response FsService::StatFs(Request&) {
  FsStats f;
  f.files = meta_.size();
  f.chunk_size = chunks_.options().chunk_size;
  if (chunks_.options().backend == ChunkBackendKind::kMemory) {
    f.total_bytes = chunks_.options().memory_limit;
    const uint64_t used = chunks_.Usage().bytes;
    f.free_bytes = used < f.total_bytes ? f.total_bytes - used : 0;
  } else {
    struct statvfs sv {};
    // One statvfs of the data dir: an administrative call.
    if (::statvfs(chunks_.options().data_dir.c_str(), &sv) != 0) {
      return Response::Error(Status::FromErrno(errno, "statfs of " + chunks_.options().data_dir));
    }
    f.total_bytes = static_cast<uint64_t>(sv.f_blocks) * sv.f_frsize;
    f.free_bytes = static_cast<uint64_t>(sv.f_bavail) * sv.f_frsize;
  }
  Response r;
  r.header = EncodeFsStats(f);
  return r;
}

Response FsService::TruncateChunks(Request& req) {
  auto a = DecodeTruncateChunks(req.header);
  if (!a.ok()) return Response::Error(a.status());
  Status s = chunks_.Truncate(a->path, a->size);
  return s.ok() ? Response() : Response::Error(s);
}

Response FsService::Remove(Request& req) {
  auto a = DecodeRemove(req.header);
  if (!a.ok()) return Response::Error(a.status());
  if (a->prefix && (a->path.empty() || a->path[0] != '/')) {
    return Response::Error(Status::InvalidArgument("remove: a prefix must start with '/'"));
  }
  RemoveCounts counts;
  std::vector<std::string> files;
  if (a->prefix) {
    auto found = chunks_.PathsWithPrefix(a->path);
    if (!found.ok()) return Response::Error(found.status());
    files = std::move(found.value());
  } else {
    files.push_back(a->path);
  }
  for (const std::string& f : files) {
    Status s = chunks_.Remove(f);
    if (s.ok()) {
      ++counts.files;
    } else if (s.code() != StatusCode::kNotFound) {
      return Response::Error(s);
    }
  }
  if (a->metadata) {
    std::vector<std::string> paths;
    if (a->prefix) {
      std::string after;
      while (true) {
        auto page = meta_.List(a->path, after);
        if (!page.ok()) return Response::Error(page.status());
        for (ListEntry& e : page->entries) paths.push_back(std::move(e.path));
        if (!page->more || paths.empty()) break;
        after = paths.back();
      }
    } else {
      paths.push_back(a->path);
    }
    for (const std::string& p : paths) {
      Status s = meta_.Delete(p);
      if (s.ok()) {
        ++counts.metadata_entries;
      } else if (s.code() != StatusCode::kNotFound) {
        return Response::Error(s);
      }
    }
  }
  Response r;
  r.header = EncodeRemoveCounts(counts);
  return r;
}

}  // namespace benchfs

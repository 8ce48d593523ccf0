// SPDX-License-Identifier: BSD-3-Clause
// FsService: the daemon's request handlers. It binds the chunk store and the
// metadata store to the RPC server's opcodes (WRITE_CHUNK, READ_CHUNK,
// META_CREATE/STAT/DELETE/UPDATE, FSYNC, SHUTDOWN), and supplies the server
// with receive buffers for chunk payloads from the store's registered
// io_uring buffers, so a rendezvous write lands directly in the buffer
// io_uring writes from. META_DELETE removes metadata only; a file's chunks are
// removed where they live. Handlers that cannot block run inline in the
// server's UCX callback (rpc/server.h): META_STAT always; META_CREATE,
// META_DELETE and META_UPDATE when the metadata store has no log; READ_CHUNK
// with the memory backend. The others run in fibers.
//
// The namespace (docs/namespace.md): META_RENAME, META_PUT and META_UNLINK
// apply the store's per-entry rules (metadata_store.h); READDIR lists the
// children of a directory held here; STATFS reports the data dir's file
// system; TRUNCATE_CHUNKS cuts a file's chunks here. The root "/" always
// exists as a directory (stat answers it without an entry) and cannot be
// created, removed or renamed (EEXIST / EBUSY).
#pragma once

#include <cstdint>

#include "rpc/server.h"
#include "runtime/event.h"
#include "runtime/executor.h"
#include "storage/chunk_store.h"
#include "storage/metadata_store.h"

namespace benchfs {

// The root directory's inode id (no created file gets it but by a 2^-64 chance).
inline constexpr uint64_t kRootInodeId = 1;

class FsService {
 public:
  FsService(Executor& ex, RpcServer& server, ChunkStore& chunks, MetadataStore& meta);
  FsService(const FsService&) = delete;
  FsService& operator=(const FsService&) = delete;

  // Installs the handlers, the buffer provider and STATUS extras.
  void Install();
  // Set when a client sends SHUTDOWN (the reply goes out first).
  Event& shutdown_requested() { return shutdown_; }

 private:
  Response WriteChunk(Request& req);
  Response ReadChunk(Request& req);
  Response Create(Request& req);
  Response Stat(Request& req);
  Response Delete(Request& req);
  Response Update(Request& req);
  Response Fsync(Request& req);
  Response Remove(Request& req);
  Response Floor(Request& req);
  Response Rename(Request& req);
  Response Put(Request& req);
  Response Unlink(Request& req);
  Response Readdir(Request& req);
  Response StatFs(Request& req);
  Response TruncateChunks(Request& req);
  Response NsEpoch(Request& req);

  Executor& ex_;
  RpcServer& server_;
  ChunkStore& chunks_;
  MetadataStore& meta_;
  Event shutdown_;
  // The namespace epoch (docs/namespace.md, "Parent checks"): random at start,
  // so a restarted server invalidates what clients checked against it;
  // moved by NS_EPOCH with bump (rmdir and directory rename, around the removal).
  uint64_t ns_epoch_;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// ChunkStore: the daemon's store of file data. A file (named by its path) is
// split into chunks of chunk_size bytes; chunk (file id, index) is written,
// read, synced and removed through one of three backends (options.backend):
// `uring` (default), `posix` (the blocking reference) or `memory`.
//
// File ids are options.file_id(path) (xxh3). The first write of a path
// records the path as the id's owner beside its chunks; a path whose id is
// already owned by another path (a 64-bit collision) is refused with
// ALREADY_EXISTS naming both, so two files never share chunks. Verified
// owners are cached in memory (bounded).
//
// Chunks already resolved (path validated, owner verified, file open) are
// kept in a bounded LRU (options.resolved_chunks, ResolvedChunkCache), so an
// operation on a hot chunk is one lookup and one I/O. Remove() and Close()
// forget the file's entries, and the backend drops an entry whenever it
// closes the chunk's file, so a chunk removed here is never served from it.
//
// Data buffers follow the reactor's contract: an operation takes the caller's
// IoBuffer, uses it in place (a registered buffer goes through
// READ_FIXED/WRITE_FIXED) and hands it back. So a daemon can receive an RPC
// payload into a buffer from buffers() and pass it to Write() with no copy.
//
// Every operation is called from a fiber of `ex` and is acknowledged per the
// durability policy (durability.h); Describe() says which, for results.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/buffer_pool.h"
#include "runtime/event.h"
#include "runtime/executor.h"
#include "storage/chunk_backend.h"
#include "storage/chunk_layout.h"
#include "storage/chunk_store_options.h"
#include "storage/resolved_chunk_cache.h"

namespace benchfs {

class ChunkStore {
 public:
  // Validates the options, prepares and probes data_dir (an unusable one is an
  // error here, naming the cause) and registers buffers for `uring`. May be
  // called outside a fiber.
  static Result<std::unique_ptr<ChunkStore>> Open(Executor& ex, const ChunkStoreOptions& options);
  // Without Close(): dirty files are still synced (blocking syscalls) when
  // the policy asks for it.
  ~ChunkStore();
  ChunkStore(const ChunkStore&) = delete;
  ChunkStore& operator=(const ChunkStore&) = delete;

  // Writes the first `len` bytes of `data` at `offset` in chunk `index` of
  // `path`; offset + len must not pass chunk_size.
  // With `io_time`, the time spent in the backend (the I/O itself, file
  // opens included) is added to it - two clock reads, only when asked.
  Status Write(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& data, size_t len,
               Duration* io_time = nullptr);
  // Reads up to `len` bytes (len <= buf.size()); fewer at the chunk's end, 0
  // past it, zeros in holes. NOT_FOUND if the chunk does not exist.
  Result<size_t> Read(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& buf,
                      size_t len, Duration* io_time = nullptr);
  // Removes every chunk of `path`; NOT_FOUND if it has none here.
  Status Remove(const std::string& path);
  // Cuts `path` to `size` bytes here (ChunkBackend::Truncate); OK if it has
  // no chunks here.
  Status Truncate(const std::string& path, uint64_t size);
  // Every path with chunks here that starts with `prefix`.
  Result<std::vector<std::string>> PathsWithPrefix(const std::string& prefix);
  // Chunk files and bytes held (a scan of the data dir: not for the data path).
  StoreUsage Usage() { return backend_->Usage(); }
  // Makes the file's acknowledged writes durable: syncs under `close` and
  // `group`, a no-op under `fsync` (already durable) and `none` (never).
  Status Fsync(const std::string& path);
  // Syncs per policy and closes every file. Further calls fail with UNAVAILABLE.
  Status Close();

  // A buffer for an I/O of `size` bytes: a registered one when the ring's pool
  // has a free buffer that large, else a heap buffer. Never waits.
  IoBuffer AcquireBuffer(size_t size);
  // The ring's registered buffers (null if none).
  BufferPool* buffers();

  uint64_t FileId(std::string_view path) const { return options_.file_id(path); }
  const ChunkStoreOptions& options() const { return options_; }
  DurabilityPolicy durability() const { return options_.durability; }
  std::string Describe() const { return options_.Describe(); }
  ChunkBackend& backend() { return *backend_; }
  const ResolvedChunkCache& resolved_chunks() const { return resolved_; }

 private:
  struct Owner {
    std::string path;
    bool ready = false;            // recorded on disk (or found there)
    std::shared_ptr<Event> done;   // set when a pending claim settles
  };

  ChunkStore(Executor& ex, const ChunkStoreOptions& options);
  Status CheckRange(const char* op, const std::string& path, uint64_t index, uint64_t offset,
                    size_t len, size_t buf_size) const;
  // OK if `path` owns `id` (recording it first when `create`); ALREADY_EXISTS
  // on a collision; NOT_FOUND without a record and !create.
  Status Claim(const std::string& path, uint64_t id, bool create);
  Status Collision(const std::string& path, uint64_t id, const std::string& owner) const;
  // The argument checks that do not depend on the path (the fast path's).
  bool InRange(uint64_t index, uint64_t offset, size_t len, size_t buf_size) const {
    return !closed_ && len <= buf_size && index != kOwnerRecordIndex && offset <= options_.chunk_size &&
           len <= options_.chunk_size - offset;
  }
  // Checks, claims, resolves (and caches) the chunk, then does the I/O.
  Status WriteSlow(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& data, size_t len,
                   Duration* io_time = nullptr);
  Result<size_t> ReadSlow(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& buf, size_t len,
                          Duration* io_time = nullptr);
  Status WriteTo(const std::string& path, const ResolvedChunkCache::Entry& e, uint64_t offset, IoBuffer& data,
                 size_t len) {
    if (e.chunk == nullptr) return backend_->Write(path, e.id, offset, data, len);
    return backend_->WriteResolved(path, *e.chunk, offset, data, len);
  }
  Result<size_t> ReadFrom(const std::string& path, const ResolvedChunkCache::Entry& e, uint64_t offset,
                          IoBuffer& buf, size_t len) {
    if (e.chunk == nullptr) return backend_->Read(path, e.id, offset, buf, len);
    return backend_->ReadResolved(path, *e.chunk, offset, buf, len);
  }

  static constexpr size_t kMaxCachedOwners = 65536;

  Executor& ex_;
  ChunkStoreOptions options_;
  std::unique_ptr<ChunkBackend> backend_;
  std::unordered_map<uint64_t, Owner> owners_;
  ResolvedChunkCache resolved_;
  bool closed_ = false;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// ChunkBackend: where chunk bytes live. The chunk store validates arguments,
// resolves paths to file ids and refuses id collisions; a backend stores and
// returns the bytes of chunk (file id, index) and keeps each file id's owner
// record (the path that owns the id). Implementations: DiskBackend over a
// FileIo (`uring`, `posix`) and MemoryBackend (`memory`).
//
// Every method is called from a fiber of the store's executor. `path` is used
// in error messages only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include "runtime/io_buffer.h"
#include "runtime/status.h"

namespace benchfs {

struct ChunkId {
  uint64_t file_id = 0;
  uint64_t index = 0;
  bool operator==(const ChunkId&) const = default;
};

struct ChunkIdHash {
  size_t operator()(const ChunkId& c) const {
    return static_cast<size_t>(c.file_id ^ (c.index * 0x9E3779B97F4A7C15ull));
  }
};

// What a backend holds: chunk files (owner records not counted) and the
// bytes they occupy (allocated blocks on disk; held bytes in memory).
struct StoreUsage {
  uint64_t chunk_files = 0;
  uint64_t bytes = 0;
};

// A chunk a backend has resolved for I/O (on disk: its open file), handed to
// the store so that later operations on it skip the lookup. What it holds is
// the backend's business. Reference-counted without atomics: a store and
// its backend live on one executor thread.
struct ResolvedChunk : boost::intrusive_ref_counter<ResolvedChunk, boost::thread_unsafe_counter> {
  virtual ~ResolvedChunk() = default;
};
using ResolvedChunkPtr = boost::intrusive_ptr<ResolvedChunk>;

class ChunkBackend {
 public:
  virtual ~ChunkBackend() = default;

  // The chunk, resolved for I/O (opened; with `create`, created): a handle the
  // store may cache and pass to ReadResolved / WriteResolved. NOT_FOUND if it
  // does not exist and !create. A null handle means this backend keeps none:
  // the store then uses Read / Write. The handle stays usable until the
  // backend reports it dropped (set_on_drop).
  virtual Result<ResolvedChunkPtr> Resolve(const std::string& /*path*/, ChunkId /*c*/, bool /*create*/) {
    return ResolvedChunkPtr();
  }
  // Write / Read through a handle from Resolve (never null).
  virtual Status WriteResolved(const std::string& path, ResolvedChunk& /*chunk*/, uint64_t /*offset*/,
                               IoBuffer& /*data*/, size_t /*len*/) {
    return Status::Internal("write of '" + path + "': this backend has no resolved chunks");
  }
  virtual Result<size_t> ReadResolved(const std::string& path, ResolvedChunk& /*chunk*/,
                                      uint64_t /*offset*/, IoBuffer& /*buf*/, size_t /*len*/) {
    return Status::Internal("read of '" + path + "': this backend has no resolved chunks");
  }
  // Called with a chunk's id when the backend stops serving a handle it
  // returned from Resolve (evicted, removed, closed): a cache of handles must
  // forget it before the call returns.
  void set_on_drop(std::function<void(ChunkId)> f) { on_drop_ = std::move(f); }

  // Writes the first `len` bytes of `data` at `offset` in the chunk, creating
  // it; acknowledged per the durability policy. `data` is handed back.
  virtual Status Write(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& data,
                       size_t len) = 0;
  // Reads up to `len` bytes; fewer at the chunk's end. NOT_FOUND if the chunk
  // does not exist.
  virtual Result<size_t> Read(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& buf,
                              size_t len) = 0;
  // Removes every chunk of the file and its owner record.
  virtual Status Remove(const std::string& path, uint64_t file_id) = 0;
  // Cuts the file to `size` bytes: chunks wholly at or past it are removed,
  // the chunk `size` falls inside is shortened to end there (so a later grow
  // reads zeros, not old bytes). The owner record stays.
  virtual Status Truncate(const std::string& path, uint64_t file_id, uint64_t size) = 0;
  // Makes the file's acknowledged writes durable as the policy defines.
  virtual Status Sync(const std::string& path, uint64_t file_id) = 0;
  // Syncs per policy and releases every open file.
  virtual Status Close() = 0;

  // The path that owns `file_id`; NOT_FOUND if none was recorded (or the
  // record is torn, which means no chunk was ever acknowledged under it).
  virtual Result<std::string> LoadOwner(uint64_t file_id) = 0;
  // Records `path` as the owner of `file_id`, durable per the policy.
  virtual Status StoreOwner(uint64_t file_id, const std::string& path) = 0;
  // Every path with an owner record (a file with chunks here), unordered.
  // Lists directories with readdir(2): an administrative call, not for the
  // data path.
  virtual Result<std::vector<std::string>> OwnedPaths() = 0;
  // Chunk files and bytes held now (directory scan on disk).
  virtual StoreUsage Usage() = 0;

 protected:
  void Dropped(ChunkId c) {
    if (on_drop_) on_drop_(c);
  }

 private:
  std::function<void(ChunkId)> on_drop_;
};

}  // namespace benchfs

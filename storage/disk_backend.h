// SPDX-License-Identifier: BSD-3-Clause
// DiskBackend: chunks as files under data_dir (layout in chunk_layout.h),
// through a FileIo - io_uring for the `uring` backend, blocking syscalls for
// `posix`.
//
// Open chunk files are kept in a bounded LRU cache (max_open_files); each is
// also registered in the ring's fixed-file table while it has room. With
// direct_io, an aligned operation goes through a second O_DIRECT descriptor
// of the same file; everything else stays buffered.
//
// Durability (see durability.h):
//   fsync  write SQE linked to fdatasync; a newly created file also syncs its
//          shard directory before the write is acknowledged.
//   close  files written since their last sync are tracked (and new files
//          mark their shard directory); Sync(file), Close() and eviction from
//          the cache fdatasync them.
//   group  as close, plus each write waits for the GroupCommit batch that
//          covers it.
// A failed fdatasync is sticky on that file: later writes and syncs of it
// fail too, because Linux may already have dropped the unsynced pages.
#pragma once

#include <array>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "runtime/executor.h"
#include "storage/chunk_backend.h"
#include "storage/chunk_store_options.h"
#include "runtime/unique_fd.h"
#include "storage/file_io.h"
#include "storage/group_commit.h"

namespace benchfs {

class DiskBackend final : public ChunkBackend {
 public:
  // Prepares and probes data_dir (start-up errors name the cause).
  static Result<std::unique_ptr<DiskBackend>> Open(Executor& ex, std::unique_ptr<FileIo> io,
                                                   const ChunkStoreOptions& options);
  ~DiskBackend() override;

  Status Write(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& data,
               size_t len) override;
  Result<size_t> Read(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& buf,
                      size_t len) override;
  // The open chunk file (opened on a miss); dropped when it leaves the open-file cache.
  Result<ResolvedChunkPtr> Resolve(const std::string& path, ChunkId c, bool create) override;
  Status WriteResolved(const std::string& path, ResolvedChunk& chunk, uint64_t offset, IoBuffer& data,
                       size_t len) override;
  Result<size_t> ReadResolved(const std::string& path, ResolvedChunk& chunk, uint64_t offset, IoBuffer& buf,
                              size_t len) override;
  Status Remove(const std::string& path, uint64_t file_id) override;
  // Lists and cuts with blocking readdir/ftruncate (io_uring has no getdents
  // and this kernel's ring no ftruncate): an administrative call, like Remove.
  Status Truncate(const std::string& path, uint64_t file_id, uint64_t size) override;
  Status Sync(const std::string& path, uint64_t file_id) override;
  Status Close() override;
  Result<std::string> LoadOwner(uint64_t file_id) override;
  Status StoreOwner(uint64_t file_id, const std::string& path) override;
  Result<std::vector<std::string>> OwnedPaths() override;
  StoreUsage Usage() override;

  size_t open_files() const { return cache_.size(); }
  size_t fixed_files() const;
  uint64_t group_batches() const { return group_.batches(); }

 private:
  struct OpenChunk final : ResolvedChunk {
    ChunkId id;
    UniqueFd fd;
    FixedFile fixed;  // declared after fd: unregistered before the fd closes
    UniqueFd direct_fd;
    FixedFile direct_fixed;
    bool dirty = false;
    Status error;  // sticky sync failure
    bool cached = false;  // in cache_ (and `lru` valid)
    std::list<ChunkId>::iterator lru;
    FileRef ref() const { return fixed.valid() ? FileRef(fixed) : FileRef(fd.get()); }
    FileRef direct_ref() const {
      return direct_fixed.valid() ? FileRef(direct_fixed) : FileRef(direct_fd.get());
    }
  };
  using ChunkPtr = boost::intrusive_ptr<OpenChunk>;

  DiskBackend(Executor& ex, std::unique_ptr<FileIo> io, const ChunkStoreOptions& options);
  // The open chunk, opening (and with `create`, creating) it on a miss.
  Result<ChunkPtr> Get(const std::string& path, ChunkId c, bool create);
  // Makes a cached chunk the most recently used.
  void Touch(OpenChunk& ch) {
    if (ch.cached && ch.lru != lru_.begin()) lru_.splice(lru_.begin(), lru_, ch.lru);
  }
  // Takes `ch` out of the cache (the caller retires it) and tells the store.
  ChunkPtr Uncache(std::unordered_map<ChunkId, ChunkPtr, ChunkIdHash>::iterator it);
  Status WriteOpen(const std::string& path, ChunkPtr ch, uint64_t offset, IoBuffer& data, size_t len);
  Result<size_t> ReadOpen(const std::string& path, ChunkPtr ch, uint64_t offset, IoBuffer& buf, size_t len);
  Status OpenDirect(const std::string& path, OpenChunk& ch);
  Status WriteRest(const std::string& path, OpenChunk& ch, const IoBuffer& data, size_t done,
                   size_t len, uint64_t offset);
  void MarkDirty(const ChunkPtr& ch);
  // Out of the cache: synced first if dirty, closed if nobody else holds it.
  Status Retire(ChunkPtr ch, bool sync);
  Status SyncChunk(const std::string& path, OpenChunk& ch);
  Status SyncShard(unsigned shard);
  // group/close: fdatasync every dirty file and dirty shard directory.
  Status SyncAllDirty();
  Status Annotate(const Status& s, const char* op, const std::string& path, ChunkId c) const;
  // Takes every cached chunk of `file_id` out of the cache (synced first when `sync`).
  void ForgetFile(uint64_t file_id, bool sync);
  // Names of the file's entries ("<hex>.<index>", "<hex>.path") in its shard directory.
  Result<std::vector<std::string>> FileEntries(const std::string& path, uint64_t file_id);
  // After entries of `shard` were unlinked: sync or mark it per the policy.
  Status ShardChanged(unsigned shard);

  Executor& ex_;
  std::unique_ptr<FileIo> io_;
  ChunkStoreOptions options_;
  UniqueFd chunks_dir_;
  std::unordered_map<ChunkId, ChunkPtr, ChunkIdHash> cache_;
  std::list<ChunkId> lru_;      // front = most recently used
  std::vector<ChunkPtr> dirty_;  // written since last sync (close/group)
  std::array<bool, 256> dirty_shards_{};
  std::unordered_map<uint64_t, Status> failed_files_;  // sync failures found at eviction
  GroupCommit group_;
  bool closed_ = false;
};

}  // namespace benchfs

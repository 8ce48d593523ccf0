// SPDX-License-Identifier: BSD-3-Clause
// DiskBackend: open-file cache, per-policy writes, dirty tracking, removal.
#include "storage/disk_backend.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/uring_reactor.h"
#include "storage/chunk_layout.h"
#include "storage/file_id.h"

namespace benchfs {

DiskBackend::DiskBackend(Executor& ex, std::unique_ptr<FileIo> io, const ChunkStoreOptions& options)
    : ex_(ex),
      io_(std::move(io)),
      options_(options),
      group_(ex, options.group_interval, [this] { return SyncAllDirty(); }) {}

Result<std::unique_ptr<DiskBackend>> DiskBackend::Open(Executor& ex, std::unique_ptr<FileIo> io,
                                                       const ChunkStoreOptions& options) {
  auto dir = PrepareDataDir(options.data_dir, options.direct_io);
  if (!dir.ok()) return dir.status();
  std::unique_ptr<DiskBackend> b(new DiskBackend(ex, std::move(io), options));
  b->chunks_dir_ = std::move(dir.value());
  b->cache_.reserve(options.max_open_files);
  return b;
}

DiskBackend::~DiskBackend() {
  // Not closed from a fiber: keep the policy's promise with plain syscalls.
  if (closed_) return;
  for (const ChunkPtr& ch : dirty_) ::fdatasync(ch->fd.get());
  for (unsigned s = 0; s < dirty_shards_.size(); ++s) {
    if (!dirty_shards_[s]) continue;
    UniqueFd d(::openat(chunks_dir_.get(), ShardDirName(s).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.valid()) ::fsync(d.get());
  }
}

size_t DiskBackend::fixed_files() const {
  size_t n = 0;
  for (const auto& [id, ch] : cache_) n += ch->fixed.valid() + ch->direct_fixed.valid();
  return n;
}

Status DiskBackend::Annotate(const Status& s, const char* op, const std::string& path, ChunkId c) const {
  std::string what = c.index == kOwnerRecordIndex ? std::string("owner record")
                                                  : "chunk " + std::to_string(c.index);
  std::string msg = std::string(op) + " " + what + " of '" + path + "' (" + options_.data_dir +
                    "/chunks/" + ChunkFileName(c.file_id, c.index) + "): " + s.message();
  if (s.sys_errno() == EMFILE || s.sys_errno() == ENFILE) {
    msg += "; lower max_open_files or raise ulimit -n";
  } else if (s.sys_errno() == ENOSPC || s.sys_errno() == EDQUOT) {
    msg += "; the file system under data_dir is full";
  }
  return Status(s.code(), std::move(msg), s.sys_errno());
}

Result<DiskBackend::ChunkPtr> DiskBackend::Get(const std::string& path, ChunkId c, bool create) {
  auto it = cache_.find(c);
  if (it != cache_.end()) {
    Touch(*it->second);
    return it->second;
  }
  if (closed_) return Status::Unavailable("chunk store is closed");
  const std::string name = ChunkFileName(c.file_id, c.index);
  const bool track_new = create && options_.durability != DurabilityPolicy::kNone;
  Result<int> fd = Status::Internal("unset");
  bool created = false;
  if (track_new) {
    // O_EXCL first, to know whether the directory entry is new and must be synced.
    fd = io_->OpenAt(chunks_dir_.get(), name, O_RDWR | O_CREAT | O_EXCL, 0644);
    created = fd.ok();
    if (!fd.ok() && fd.status().sys_errno() == EEXIST) {
      fd = io_->OpenAt(chunks_dir_.get(), name, O_RDWR, 0);
    }
  } else {
    fd = io_->OpenAt(chunks_dir_.get(), name, O_RDWR | (create ? O_CREAT : 0), 0644);
  }
  if (!fd.ok()) {
    if (fd.status().sys_errno() == ENOENT) {
      std::string what = c.index == kOwnerRecordIndex ? std::string("owner record")
                                                       : "chunk " + std::to_string(c.index);
      return Status::NotFound(what + " of '" + path + "' does not exist");
    }
    return Annotate(fd.status(), "open", path, c);
  }
  ChunkPtr ch(new OpenChunk());
  ch->id = c;
  ch->fd.reset(*fd);
  if (created) {
    if (options_.durability == DurabilityPolicy::kFsync) {
      Status s = SyncShard(ShardOf(c.file_id));
      if (!s.ok()) return Annotate(s, "sync the directory of", path, c);
    } else {
      dirty_shards_[ShardOf(c.file_id)] = true;
    }
  }
  // Make room; every suspension may let another fiber open the same chunk.
  for (;;) {
    it = cache_.find(c);
    if (it != cache_.end()) {
      // Nothing was written through this fd: a failed close loses nothing.
      io_->Close(ch->fd.release()).IgnoreError();
      lru_.splice(lru_.begin(), lru_, it->second->lru);
      return it->second;
    }
    if (cache_.size() < options_.max_open_files) break;
    ChunkPtr victim = Uncache(cache_.find(lru_.back()));
    Status s = Retire(std::move(victim), true);
    (void)s;  // recorded in failed_files_; reported by Sync/Close of that file
  }
  ch->fixed = io_->Register(ch->fd.get());
  lru_.push_front(c);
  ch->lru = lru_.begin();
  ch->cached = true;
  cache_.emplace(c, ch);
  return ch;
}

DiskBackend::ChunkPtr DiskBackend::Uncache(std::unordered_map<ChunkId, ChunkPtr, ChunkIdHash>::iterator it) {
  ChunkPtr ch = std::move(it->second);
  cache_.erase(it);
  lru_.erase(ch->lru);
  ch->cached = false;
  Dropped(ch->id);  // the store lets go of its handle: Retire may close it
  return ch;
}

Result<ResolvedChunkPtr> DiskBackend::Resolve(const std::string& path, ChunkId c, bool create) {
  auto got = Get(path, c, create);
  if (!got.ok()) return got.status();
  return ResolvedChunkPtr(got.value().get());
}

Status DiskBackend::OpenDirect(const std::string& path, OpenChunk& ch) {
  auto fd = io_->OpenAt(chunks_dir_.get(), ChunkFileName(ch.id.file_id, ch.id.index),
                        O_RDWR | O_DIRECT, 0);
  if (!fd.ok()) return Annotate(fd.status(), "open (O_DIRECT)", path, ch.id);
  if (ch.direct_fd.valid()) {  // another fiber got there first
    io_->Close(*fd).IgnoreError();  // unused: a failed close loses nothing
    return Status();
  }
  ch.direct_fd.reset(*fd);
  ch.direct_fixed = io_->Register(*fd);
  return Status();
}

Status DiskBackend::Write(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& data,
                          size_t len) {
  auto got = Get(path, c, true);
  if (!got.ok()) return got.status();
  return WriteOpen(path, std::move(got.value()), offset, data, len);
}

Status DiskBackend::WriteResolved(const std::string& path, ResolvedChunk& chunk, uint64_t offset,
                                  IoBuffer& data, size_t len) {
  OpenChunk& ch = static_cast<OpenChunk&>(chunk);
  Touch(ch);
  return WriteOpen(path, ChunkPtr(&ch), offset, data, len);
}

// `ch` is held for the whole operation: evicted meanwhile, it stays open
// (and registered) until the I/O is done.
Status DiskBackend::WriteOpen(const std::string& path, ChunkPtr ch, uint64_t offset, IoBuffer& data,
                              size_t len) {
  const ChunkId c = ch->id;
  if (!ch->error.ok()) return ch->error;
  FileRef f = ch->ref();
  if (options_.direct_io && offset % options_.direct_io_alignment == 0 &&
      len % options_.direct_io_alignment == 0) {
    if (!ch->direct_fd.valid()) {
      Status s = OpenDirect(path, *ch);
      if (!s.ok()) return s;
    }
    f = ch->direct_ref();
  }
  const bool durable = options_.durability == DurabilityPolicy::kFsync;
  Result<size_t> n = durable ? io_->WriteDurable(f, data, len, offset) : io_->Write(f, data, len, offset);
  if (!n.ok()) return Annotate(n.status(), "write", path, c);
  if (*n < len) {
    Status s = WriteRest(path, *ch, data, *n, len, offset);
    if (!s.ok()) return s;
  }
  if (options_.durability == DurabilityPolicy::kClose || options_.durability == DurabilityPolicy::kGroup) {
    MarkDirty(ch);
  }
  if (options_.durability == DurabilityPolicy::kGroup) {
    Status s = group_.WaitCovered();
    if (!s.ok()) return s;
    return ch->error;
  }
  return Status();
}

Status DiskBackend::WriteRest(const std::string& path, OpenChunk& ch, const IoBuffer& data,
                              size_t done, size_t len, uint64_t offset) {
  // Rare (a full disk, a signal): the rest goes through a copy on the buffered fd.
  const bool durable = options_.durability == DurabilityPolicy::kFsync;
  while (done < len) {
    if (data.empty()) return Status::Internal("write: buffer lost after a short write");
    IoBuffer rest = IoBuffer::Allocate(len - done);
    std::memcpy(rest.data(), data.data() + done, len - done);
    auto n = durable ? io_->WriteDurable(ch.ref(), rest, len - done, offset + done)
                     : io_->Write(ch.ref(), rest, len - done, offset + done);
    if (!n.ok()) return Annotate(n.status(), "write", path, ch.id);
    if (*n == 0) {
      return Annotate(Status::FromErrno(EIO, "write returned 0 bytes"), "write", path, ch.id);
    }
    done += *n;
  }
  return Status();
}

Result<size_t> DiskBackend::Read(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& buf,
                                 size_t len) {
  auto got = Get(path, c, false);
  if (!got.ok()) return got.status();
  return ReadOpen(path, std::move(got.value()), offset, buf, len);
}

Result<size_t> DiskBackend::ReadResolved(const std::string& path, ResolvedChunk& chunk, uint64_t offset,
                                         IoBuffer& buf, size_t len) {
  OpenChunk& ch = static_cast<OpenChunk&>(chunk);
  Touch(ch);
  return ReadOpen(path, ChunkPtr(&ch), offset, buf, len);
}

Result<size_t> DiskBackend::ReadOpen(const std::string& path, ChunkPtr ch, uint64_t offset, IoBuffer& buf,
                                     size_t len) {
  const ChunkId c = ch->id;
  FileRef f = ch->ref();
  if (options_.direct_io && offset % options_.direct_io_alignment == 0 &&
      len % options_.direct_io_alignment == 0) {
    if (!ch->direct_fd.valid()) {
      Status s = OpenDirect(path, *ch);
      if (!s.ok()) return s;
    }
    f = ch->direct_ref();
  }
  auto n = io_->Read(f, buf, len, offset);
  if (!n.ok()) return Annotate(n.status(), "read", path, c);
  return n;
}

void DiskBackend::MarkDirty(const ChunkPtr& ch) {
  if (ch->dirty) return;
  ch->dirty = true;
  dirty_.push_back(ch);
}

Status DiskBackend::SyncChunk(const std::string& path, OpenChunk& ch) {
  if (!ch.error.ok()) return ch.error;
  Status s = io_->Fdatasync(ch.ref());
  if (!s.ok()) ch.error = Annotate(s, "fdatasync", path, ch.id);
  return ch.error;
}

Status DiskBackend::SyncShard(unsigned shard) {
  auto fd = io_->OpenAt(chunks_dir_.get(), ShardDirName(shard), O_RDONLY | O_DIRECTORY, 0);
  if (!fd.ok()) return fd.status();
  Status s = io_->Fsync(*fd);
  io_->Close(*fd).IgnoreError();  // a directory fd: the fsync's status is the one that counts
  if (!s.ok()) {
    return Status(s.code(), "fsync of directory " + options_.data_dir + "/chunks/" + ShardDirName(shard) +
                                ": " + s.message(), s.sys_errno());
  }
  return s;
}

Status DiskBackend::Retire(ChunkPtr ch, bool sync) {
  Status s;
  if (ch->dirty) {
    auto pos = std::find(dirty_.begin(), dirty_.end(), ch);
    if (pos != dirty_.end()) dirty_.erase(pos);
    if (sync) {
      s = SyncChunk("file id " + FileIdHex(ch->id.file_id), *ch);
      if (!s.ok()) failed_files_.emplace(ch->id.file_id, s);
    }
    ch->dirty = false;
  }
  if (ch->use_count() == 1) {  // nobody else holds it: close through the FileIo
    ch->fixed = FixedFile();
    ch->direct_fixed = FixedFile();
    Status d = ch->direct_fd.valid() ? io_->Close(ch->direct_fd.release()) : Status();
    Status c = io_->Close(ch->fd.release());
    if (s.ok() && !d.ok()) s = Annotate(d, "close (O_DIRECT)", "file id " + FileIdHex(ch->id.file_id), ch->id);
    if (s.ok() && !c.ok()) s = Annotate(c, "close", "file id " + FileIdHex(ch->id.file_id), ch->id);
  }
  return s;
}

Status DiskBackend::SyncAllDirty() {
  std::vector<ChunkPtr> batch;
  batch.swap(dirty_);
  for (ChunkPtr& ch : batch) ch->dirty = false;  // a write from now on marks it again
  std::array<bool, 256> shards = dirty_shards_;
  dirty_shards_.fill(false);
  Status first;
  auto note = [&first](const Status& s) {
    if (!s.ok() && first.ok()) first = s;
  };
  std::vector<FiberHandle> running;
  for (ChunkPtr& ch : batch) {
    running.push_back(ex_.Spawn([this, ch, &note] { note(SyncChunk("file id " + FileIdHex(ch->id.file_id), *ch)); }));
  }
  std::array<Status, 256> shard_errors;
  for (unsigned s = 0; s < shards.size(); ++s) {
    if (shards[s]) {
      running.push_back(ex_.Spawn([this, s, &note, &shard_errors] {
        shard_errors[s] = SyncShard(s);
        note(shard_errors[s]);
      }));
    }
  }
  for (FiberHandle& h : running) ex_.Join(h);
  // A directory that did not sync loses its new entries: the files created in
  // it carry the error (sticky, like a failed fdatasync).
  for (ChunkPtr& ch : batch) {
    const Status& dir = shard_errors[ShardOf(ch->id.file_id)];
    if (!dir.ok() && ch->error.ok()) ch->error = dir;
  }
  return first;
}

Status DiskBackend::Sync(const std::string& path, uint64_t file_id) {
  if (options_.durability == DurabilityPolicy::kNone || options_.durability == DurabilityPolicy::kFsync) {
    return Status();  // none: never synced; fsync: already durable
  }
  auto failed = failed_files_.find(file_id);
  if (failed != failed_files_.end()) return failed->second;
  Status first;
  std::vector<ChunkPtr> mine;
  for (auto it = dirty_.begin(); it != dirty_.end();) {
    if ((*it)->id.file_id == file_id) {
      (*it)->dirty = false;
      mine.push_back(std::move(*it));
      it = dirty_.erase(it);
    } else {
      ++it;
    }
  }
  for (ChunkPtr& ch : mine) {
    Status s = SyncChunk(path, *ch);
    if (!s.ok() && first.ok()) first = s;
  }
  const unsigned shard = ShardOf(file_id);
  if (dirty_shards_[shard]) {
    dirty_shards_[shard] = false;
    Status s = SyncShard(shard);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

void DiskBackend::ForgetFile(uint64_t file_id, bool sync) {
  std::vector<ChunkPtr> gone;
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->first.file_id == file_id) {
      auto next = std::next(it);
      gone.push_back(Uncache(it));
      it = next;
    } else {
      ++it;
    }
  }
  // A sync failure is remembered in failed_files_ by Retire; a close error of
  // a file being cut or removed changes nothing.
  for (ChunkPtr& ch : gone) Retire(std::move(ch), sync).IgnoreError();
}

Result<std::vector<std::string>> DiskBackend::FileEntries(const std::string& path, uint64_t file_id) {
  // io_uring has no getdents: list the file's shard directory with readdir.
  const unsigned shard = ShardOf(file_id);
  const std::string prefix = FileIdHex(file_id) + ".";
  std::vector<std::string> names;
  int dfd = ::openat(chunks_dir_.get(), ShardDirName(shard).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Status::FromErrno(errno, "'" + path + "': opening its shard directory");
  DIR* d = ::fdopendir(dfd);
  if (d == nullptr) {
    ::close(dfd);
    return Status::FromErrno(errno, "'" + path + "': listing its shard directory");
  }
  while (dirent* e = ::readdir(d)) {
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0) names.emplace_back(e->d_name);
  }
  ::closedir(d);
  return names;
}

Status DiskBackend::ShardChanged(unsigned shard) {
  if (options_.durability == DurabilityPolicy::kNone) return Status();
  if (options_.durability == DurabilityPolicy::kFsync) return SyncShard(shard);
  dirty_shards_[shard] = true;
  return Status();
}

Status DiskBackend::Remove(const std::string& path, uint64_t file_id) {
  // Forget the open files (their data is going away: no sync).
  ForgetFile(file_id, false);
  failed_files_.erase(file_id);
  auto listed = FileEntries(path, file_id);
  if (!listed.ok()) {
    const Status& s = listed.status();
    return Status(s.code(), "remove " + s.message(), s.sys_errno());
  }
  std::vector<std::string>& names = *listed;
  const unsigned shard = ShardOf(file_id);
  // Chunks first, the owner record last: an interrupted remove leaves no
  // chunk without its owner.
  const std::string owner = FileIdHex(file_id) + ".path";
  std::stable_partition(names.begin(), names.end(), [&](const std::string& n) { return n != owner; });
  for (const std::string& n : names) {
    Status s = io_->UnlinkAt(chunks_dir_.get(), ShardDirName(shard) + "/" + n);
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      return Status(s.code(), "remove '" + path + "': " + s.message(), s.sys_errno());
    }
  }
  return ShardChanged(shard);
}

Status DiskBackend::Truncate(const std::string& path, uint64_t file_id, uint64_t size) {
  // Kept chunks keep their acknowledged writes durable: sync them on the way out.
  ForgetFile(file_id, true);
  auto listed = FileEntries(path, file_id);
  if (!listed.ok()) {
    const Status& s = listed.status();
    return Status(s.code(), "truncate " + s.message(), s.sys_errno());
  }
  const unsigned shard = ShardOf(file_id);
  const std::string prefix = FileIdHex(file_id) + ".";
  const uint64_t chunk = options_.chunk_size;
  bool unlinked = false;
  for (const std::string& n : *listed) {
    const std::string suffix = n.substr(prefix.size());
    if (suffix.empty() || suffix.find_first_not_of("0123456789") != std::string::npos) continue;  // ".path"
    const uint64_t index = std::strtoull(suffix.c_str(), nullptr, 10);
    const std::string rel = ShardDirName(shard) + "/" + n;
    if (index >= size / chunk + (size % chunk != 0 ? 1 : 0)) {
      Status s = io_->UnlinkAt(chunks_dir_.get(), rel);
      if (!s.ok() && s.code() != StatusCode::kNotFound) {
        return Status(s.code(), "truncate '" + path + "': " + s.message(), s.sys_errno());
      }
      unlinked = true;
    } else if ((index + 1) * chunk > size) {
      UniqueFd fd(::openat(chunks_dir_.get(), rel.c_str(), O_WRONLY | O_CLOEXEC));
      if (!fd.valid()) return Status::FromErrno(errno, "truncate '" + path + "': opening " + rel);
      if (::ftruncate(fd.get(), static_cast<off_t>(size - index * chunk)) != 0) {
        return Status::FromErrno(errno, "truncate '" + path + "': cutting " + rel);
      }
      if (options_.durability != DurabilityPolicy::kNone && ::fdatasync(fd.get()) != 0) {
        return Status::FromErrno(errno, "truncate '" + path + "': syncing " + rel);
      }
    }
  }
  return unlinked ? ShardChanged(shard) : Status();
}

Status DiskBackend::Close() {
  if (closed_) return Status();
  Status first;
  if (options_.durability == DurabilityPolicy::kClose || options_.durability == DurabilityPolicy::kGroup) {
    first = SyncAllDirty();
    for (auto& [id, s] : failed_files_) {
      if (first.ok()) first = s;
    }
  }
  closed_ = true;
  std::vector<ChunkPtr> all;
  while (!cache_.empty()) all.push_back(Uncache(cache_.begin()));
  for (ChunkPtr& ch : all) {
    Status s = Retire(std::move(ch), false);
    if (first.ok()) first = s;
  }
  return first;
}

Result<std::string> DiskBackend::LoadOwner(uint64_t file_id) {
  const ChunkId c{file_id, kOwnerRecordIndex};
  auto got = Get("file id " + FileIdHex(file_id), c, false);
  if (!got.ok()) return got.status();
  ChunkPtr ch = std::move(got.value());
  const size_t want = options_.max_path_length + 1;
  IoBuffer buf = IoBuffer::Allocate(want);
  auto n = io_->Read(ch->ref(), buf, want, 0);
  if (!n.ok()) return Annotate(n.status(), "read", "file id " + FileIdHex(file_id), c);
  const char* p = reinterpret_cast<const char*>(buf.data());
  const void* nl = std::memchr(p, '\n', *n);
  if (nl == nullptr) return Status::NotFound("owner record is torn");
  return std::string(p, static_cast<const char*>(nl) - p);
}

namespace {

// Calls fn(name) for every entry of shard directory `shard` (readdir).
template <typename Fn>
void ForEachInShard(int chunks_dir, unsigned shard, Fn fn) {
  int dfd = ::openat(chunks_dir, ShardDirName(shard).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  DIR* d = ::fdopendir(dfd);
  if (d == nullptr) {
    ::close(dfd);
    return;
  }
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') fn(dfd, e->d_name);
  }
  ::closedir(d);
}

}  // namespace

Result<std::vector<std::string>> DiskBackend::OwnedPaths() {
  std::vector<uint64_t> ids;
  for (unsigned shard = 0; shard < kChunkShards; ++shard) {
    ForEachInShard(chunks_dir_.get(), shard, [&ids](int, const char* name) {
      const char* dot = std::strchr(name, '.');
      if (dot == nullptr || std::strcmp(dot, ".path") != 0 || dot - name != 16) return;
      ids.push_back(std::strtoull(std::string(name, 16).c_str(), nullptr, 16));
    });
  }
  std::vector<std::string> paths;
  paths.reserve(ids.size());
  for (uint64_t id : ids) {
    auto owner = LoadOwner(id);
    if (owner.ok()) paths.push_back(std::move(owner.value()));
  }
  return paths;
}

StoreUsage DiskBackend::Usage() {
  StoreUsage u;
  for (unsigned shard = 0; shard < kChunkShards; ++shard) {
    std::vector<std::string> names;
    ForEachInShard(chunks_dir_.get(), shard, [&names](int, const char* name) { names.emplace_back(name); });
    // The sizes through the ring: the loop goes on serving meanwhile.
    for (const std::string& name : names) {
      auto st = ex_.uring().Statx(chunks_dir_.get(), ShardDirName(shard) + "/" + name, AT_SYMLINK_NOFOLLOW,
                                  STATX_BLOCKS);
      if (!st.ok()) continue;
      u.bytes += st->stx_blocks * 512;
      if (name.size() < 5 || name.compare(name.size() - 5, 5, ".path") != 0) ++u.chunk_files;
    }
  }
  return u;
}

Status DiskBackend::StoreOwner(uint64_t file_id, const std::string& path) {
  IoBuffer buf = IoBuffer::Allocate(path.size() + 1);
  std::memcpy(buf.data(), path.data(), path.size());
  reinterpret_cast<char*>(buf.data())[path.size()] = '\n';
  // No O_DIRECT for the record (its length is not aligned); same policy as data.
  return Write(path, ChunkId{file_id, kOwnerRecordIndex}, 0, buf, path.size() + 1);
}

}  // namespace benchfs

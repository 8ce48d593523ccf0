// SPDX-License-Identifier: BSD-3-Clause
// ChunkStore: argument checks, file-id ownership, dispatch to the backend.
#include "storage/chunk_store.h"

#include "runtime/uring_reactor.h"
#include "storage/chunk_layout.h"
#include "storage/disk_backend.h"
#include "storage/memory_backend.h"
#include "storage/posix_file_io.h"
#include "storage/uring_file_io.h"

namespace benchfs {

ChunkStore::ChunkStore(Executor& ex, const ChunkStoreOptions& options)
    : ex_(ex), options_(options), resolved_(options.resolved_chunks) {}

ChunkStore::~ChunkStore() = default;

Result<std::unique_ptr<ChunkStore>> ChunkStore::Open(Executor& ex, const ChunkStoreOptions& options) {
  Status s = options.Validate();
  if (!s.ok()) return s;
  std::unique_ptr<ChunkStore> store(new ChunkStore(ex, options));
  switch (options.backend) {
    case ChunkBackendKind::kMemory:
      store->backend_ = std::make_unique<MemoryBackend>(options);
      break;
    case ChunkBackendKind::kPosix:
    case ChunkBackendKind::kUring: {
      std::unique_ptr<FileIo> io;
      if (options.backend == ChunkBackendKind::kUring) {
        io = std::make_unique<UringFileIo>(ex);
      } else {
        io = std::make_unique<PosixFileIo>();
      }
      auto b = DiskBackend::Open(ex, std::move(io), options);
      if (!b.ok()) return b.status();
      store->backend_ = std::move(b.value());
      break;
    }
  }
  ChunkStore* self = store.get();
  store->backend_->set_on_drop([self](ChunkId c) { self->resolved_.Erase(c); });
  if (options.backend == ChunkBackendKind::kUring && options.registered_buffers > 0 &&
      ex.uring().buffers() == nullptr) {
    s = ex.uring().RegisterBuffers(options.registered_buffers, options.registered_buffer_size);
    if (!s.ok()) {
      return Status(s.code(), "chunk store: " + s.message() + " (options registered_buffers / "
                              "registered_buffer_size; 0 buffers disables registration)", s.sys_errno());
    }
  }
  return store;
}

IoBuffer ChunkStore::AcquireBuffer(size_t size) {
  BufferPool* pool = buffers();
  if (pool != nullptr && pool->buffer_size() >= size) {
    IoBuffer b = pool->TryAcquire();
    if (!b.empty()) return b;
  }
  return IoBuffer::Allocate(size);
}

BufferPool* ChunkStore::buffers() { return ex_.uring().buffers(); }

Status ChunkStore::CheckRange(const char* op, const std::string& path, uint64_t index,
                              uint64_t offset, size_t len, size_t buf_size) const {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("chunk store is closed");
  if (len > buf_size) {
    return Status::InvalidArgument(std::string(op) + " of " + std::to_string(len) +
                                                    " bytes with a buffer of " + std::to_string(buf_size));
  }
  if (index == kOwnerRecordIndex) {
    return Status::InvalidArgument(std::string(op) + ": chunk index " +
                                                    std::to_string(index) + " is reserved");
  }
  if (offset > options_.chunk_size || len > options_.chunk_size - offset) {
    return Status::InvalidArgument(std::string(op) + " of " + std::to_string(len) + " bytes at offset " +
                      std::to_string(offset) + " in chunk " + std::to_string(index) + " of '" + path +
                      "' crosses the chunk's end (chunk_size = " + std::to_string(options_.chunk_size) +
                      "); split it at the chunk boundary");
  }
  return Status();
}

Status ChunkStore::Collision(const std::string& path, uint64_t id, const std::string& owner) const {
  return Status::AlreadyExists("'" + path + "' cannot use file id " + FileIdHex(id) + ": it belongs to '" + owner +
                    "' (a 64-bit hash collision); chunks are never shared, so use another name");
}

Status ChunkStore::Claim(const std::string& path, uint64_t id, bool create) {
  for (;;) {
    auto it = owners_.find(id);
    if (it == owners_.end()) break;
    if (it->second.path != path) return Collision(path, id, it->second.path);
    if (it->second.ready) return Status();
    std::shared_ptr<Event> done = it->second.done;  // another fiber is claiming it
    if (!done->Wait()) return Status::Cancelled("waiting for an owner record was cancelled");
  }
  if (owners_.size() >= kMaxCachedOwners) {
    for (auto it = owners_.begin(); it != owners_.end();) {
      it = it->second.ready ? owners_.erase(it) : std::next(it);
    }
  }
  Owner& pending = owners_[id];
  pending.path = path;
  pending.done = std::make_shared<Event>(ex_);
  std::shared_ptr<Event> done = pending.done;

  Status s;
  std::string owner = path;
  auto loaded = backend_->LoadOwner(id);
  if (loaded.ok()) {
    owner = *loaded;
    if (owner != path) s = Collision(path, id, owner);
  } else if (loaded.status().code() != StatusCode::kNotFound) {
    s = loaded.status();
  } else if (!create) {
    s = Status::NotFound("'" + path + "' has no chunks here");
  } else {
    s = backend_->StoreOwner(id, path);
  }
  // owners_ may have been rehashed while this fiber waited: look it up again.
  auto it = owners_.find(id);
  if (it == owners_.end()) {
    // Only this claim removes a pending entry; keep going defensively.
  } else if (s.ok() || s.code() == StatusCode::kAlreadyExists) {
    it->second.path = owner;  // a collision records the real owner: later checks fail fast
    it->second.ready = true;
    it->second.done.reset();
  } else {
    owners_.erase(it);
  }
  done->Set();
  return s;
}

Status ChunkStore::Write(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& data,
                         size_t len, Duration* io_time) {
  if (len != 0 && InRange(index, offset, len, data.size())) {
    const ChunkId c{options_.file_id(path), index};
    if (const ResolvedChunkCache::Entry* e = resolved_.Find(c, path)) {
      return TimedInto(io_time, [&] { return WriteTo(path, *e, offset, data, len); });
    }
  }
  return WriteSlow(path, index, offset, data, len, io_time);
}

Status ChunkStore::WriteSlow(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& data,
                             size_t len, Duration* io_time) {
  Status s = CheckRange("write", path, index, offset, len, data.size());
  if (!s.ok()) return s;
  if (len == 0) return Status();
  const ChunkId c{options_.file_id(path), index};
  s = Claim(path, c.file_id, true);
  if (!s.ok()) return s;
  // The checks and the owner claim are not I/O time; the open and the write are.
  return TimedInto(io_time, [&]() -> Status {
    auto h = backend_->Resolve(path, c, true);
    if (!h.ok()) return h.status();
    resolved_.Insert(c, path, h.value());
    return *h == nullptr ? backend_->Write(path, c, offset, data, len)
                         : backend_->WriteResolved(path, **h, offset, data, len);
  });
}

Result<size_t> ChunkStore::Read(const std::string& path, uint64_t index, uint64_t offset,
                                IoBuffer& buf, size_t len, Duration* io_time) {
  if (InRange(index, offset, len, buf.size())) {
    const ChunkId c{options_.file_id(path), index};
    if (const ResolvedChunkCache::Entry* e = resolved_.Find(c, path)) {
      return TimedInto(io_time, [&] { return ReadFrom(path, *e, offset, buf, len); });
    }
  }
  return ReadSlow(path, index, offset, buf, len, io_time);
}

Result<size_t> ChunkStore::ReadSlow(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& buf,
                                    size_t len, Duration* io_time) {
  Status s = CheckRange("read", path, index, offset, len, buf.size());
  if (!s.ok()) return s;
  const ChunkId c{options_.file_id(path), index};
  s = Claim(path, c.file_id, false);
  if (!s.ok()) {
    if (s.code() == StatusCode::kNotFound) {
      return Status::NotFound("chunk " + std::to_string(index) + " of '" + path + "' does not exist");
    }
    return s;
  }
  return TimedInto(io_time, [&]() -> Result<size_t> {
    auto h = backend_->Resolve(path, c, false);
    if (!h.ok()) return h.status();
    resolved_.Insert(c, path, h.value());
    return *h == nullptr ? backend_->Read(path, c, offset, buf, len)
                         : backend_->ReadResolved(path, **h, offset, buf, len);
  });
}

Status ChunkStore::Remove(const std::string& path) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("chunk store is closed");
  const uint64_t id = options_.file_id(path);
  s = Claim(path, id, false);
  if (!s.ok()) return s;
  resolved_.EraseFile(id);
  s = backend_->Remove(path, id);
  resolved_.EraseFile(id);  // resolved again while the removal waited
  owners_.erase(id);
  return s;
}

Status ChunkStore::Truncate(const std::string& path, uint64_t size) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("chunk store is closed");
  const uint64_t id = options_.file_id(path);
  s = Claim(path, id, false);
  if (s.code() == StatusCode::kNotFound) return Status();  // no chunks here: nothing to cut
  if (!s.ok()) return s;
  resolved_.EraseFile(id);
  s = backend_->Truncate(path, id, size);
  resolved_.EraseFile(id);  // resolved again while the cut waited
  return s;
}

Result<std::vector<std::string>> ChunkStore::PathsWithPrefix(const std::string& prefix) {
  if (closed_) return Status::Unavailable("chunk store is closed");
  auto all = backend_->OwnedPaths();
  if (!all.ok()) return all.status();
  std::vector<std::string> out;
  for (std::string& p : *all) {
    if (p.compare(0, prefix.size(), prefix) == 0) out.push_back(std::move(p));
  }
  return out;
}

Status ChunkStore::Fsync(const std::string& path) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("chunk store is closed");
  const uint64_t id = options_.file_id(path);
  s = Claim(path, id, false);
  if (s.code() == StatusCode::kNotFound) return Status();  // nothing written: nothing to sync
  if (!s.ok()) return s;
  return backend_->Sync(path, id);
}

Status ChunkStore::Close() {
  if (closed_) return Status();
  closed_ = true;
  resolved_.Clear();
  return backend_->Close();
}

}  // namespace benchfs

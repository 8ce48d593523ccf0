// SPDX-License-Identifier: BSD-3-Clause
// File: open, chunked reads and writes, and the size pushes.
#include "libbenchfs/file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "libbenchfs/context.h"
#include "runtime/io_buffer.h"

namespace benchfs::capi {
namespace {

// Chunk pieces of one call in flight at once (a transfer of several chunks).
constexpr size_t kPiecesInFlight = 16;

bool IsNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }

}  // namespace

File::File(Context& ctx, std::string path, const Inode& inode, const OpenRequest& req)
    : ctx_(ctx), path_(std::move(path)), id_(inode.id), readable_(req.readable), writable_(req.writable), size_seen_(inode.size) {}

Result<File*> File::Open(Context& ctx, std::string path, const OpenRequest& req) {
  FsClient& c = ctx.client();
  std::optional<Inode> inode;
  if (req.create) {
    auto r = c.CreateFile(path, req.mode);
    if (r.ok()) {
      inode = *r;
    } else if (r.status().code() != StatusCode::kAlreadyExists || req.exclusive) {
      return r.status();
    }
  }
  if (!inode) {
    auto st = c.Stat(path);
    if (!st.ok()) return st.status();
    if (st->type == InodeType::kDirectory) return Status::InvalidArgument(path + " is a directory", EISDIR);
    inode = *st;
    if (req.truncate && inode->size > 0) {
      // Truncate cuts the chunks too: a later write past a hole reads zeros there.
      auto t = c.Truncate(path, 0);
      if (!t.ok()) return t.status();
      inode = *t;
      for (File* f : ctx.FilesOf(path)) f->ForgetBeyond(0);
    }
  }
  File* f = new File(ctx, std::move(path), *inode, req);
  ctx.AddFile(f);
  return f;
}

Status File::ForEachPiece(uint64_t offset, size_t count,
                          const std::function<Status(uint64_t, size_t, size_t)>& fn) {
  const uint64_t cs = ctx_.chunk_size();
  const uint64_t end = offset + count;
  const uint64_t first = offset / cs;
  const uint64_t pieces = (end - 1) / cs - first + 1;
  if (pieces == 1) return fn(offset, 0, count);
  Status first_error;
  uint64_t next = 0;
  auto worker = [&] {
    while (next < pieces && first_error.ok()) {
      const uint64_t k = next++;
      const uint64_t from = std::max(offset, (first + k) * cs);
      const uint64_t to = std::min(end, (first + k + 1) * cs);
      Status s;
      try {
        s = fn(from, static_cast<size_t>(from - offset), static_cast<size_t>(to - from));
      } catch (const std::exception& e) {
        s = Status::Internal(e.what());
      }
      if (!s.ok() && first_error.ok()) first_error = s;
    }
  };
  Executor& ex = ctx_.executor();
  std::vector<FiberHandle> helpers;
  for (uint64_t i = 1; i < std::min<uint64_t>(pieces, kPiecesInFlight); ++i) helpers.push_back(ex.Spawn(worker));
  worker();
  for (FiberHandle& h : helpers) ex.Join(h);
  return first_error;
}

Result<size_t> File::Read(std::byte* buf, size_t count, uint64_t offset) {
  if (count == 0) return size_t{0};
  if (offset + count > KnownSize()) {
    // Another handle may have grown the file since this one looked.
    auto st = ctx_.client().Stat(path_);
    if (st.ok() && st->id == id_) {
      size_seen_ = st->size;
    } else if (!st.ok() && !IsNotFound(st.status())) {  // unlinked while open: what this handle knows
      return st.status();
    }
  }
  const uint64_t size = KnownSize();
  if (offset >= size) return size_t{0};
  const size_t n = static_cast<size_t>(std::min<uint64_t>(count, size - offset));
  FsClient& c = ctx_.client();
  const uint64_t cs = ctx_.chunk_size();
  Status s = ForEachPiece(offset, n, [&](uint64_t at, size_t into, size_t len) -> Status {
    IoBuffer b = IoBuffer::AllocateUninitialized(len, 64);
    auto got = c.ReadChunkOf(id_, at / cs, at % cs, b, len);
    if (!got.ok() && !IsNotFound(got.status())) return got.status();
    const size_t have = got.ok() ? *got : 0;  // a missing or short chunk is a hole
    std::memcpy(buf + into, b.data(), have);
    std::memset(buf + into + have, 0, len - have);
    return Status();
  });
  if (!s.ok()) return s;
  return n;
}

Status File::Write(const std::byte* buf, size_t count, uint64_t offset) {
  if (count == 0) return Status();
  FsClient& c = ctx_.client();
  if (pushed_end_ == 0) {
    // The metadata server learns that the file has data before its first
    // chunk is written: FsClient::Unlink removes no chunks of a file whose
    // size is 0. Later writes push their sizes at close, fsync or stat.
    auto r = c.Update(path_, InodeUpdate::Grow(offset + count));
    if (r.ok()) {
      pushed_end_ = offset + count;
      size_seen_ = r->size;
    } else if (!IsNotFound(r.status())) {  // unlinked or renamed away meanwhile: the data still goes to its id
      return r.status();
    }
  }
  const uint64_t cs = ctx_.chunk_size();
  Status s = ForEachPiece(offset, count, [&](uint64_t at, size_t from, size_t len) -> Status {
    IoBuffer b = IoBuffer::AllocateUninitialized(len, 64);
    std::memcpy(b.data(), buf + from, len);
    return c.WriteChunkOf(id_, at / cs, at % cs, b, len);
  });
  if (!s.ok()) return s;
  written_end_ = std::max(written_end_, offset + count);
  return Status();
}

Result<std::optional<Inode>> File::PushSize() {
  if (written_end_ <= pushed_end_) return std::optional<Inode>();
  const uint64_t end = written_end_;
  auto r = ctx_.client().Update(path_, InodeUpdate::Grow(end));
  if (!r.ok()) return r.status();
  pushed_end_ = std::max(pushed_end_, end);
  size_seen_ = r->size;
  return std::optional<Inode>(*r);
}

Status File::Sync() {
  auto pushed = PushSize();
  if (!pushed.ok() && !IsNotFound(pushed.status())) return pushed.status();
  return ctx_.client().FsyncOf(id_);
}

Result<uint64_t> File::Size() {
  auto pushed = PushSize();
  if (!pushed.ok()) return pushed.status();
  if (*pushed) return (*pushed)->size;
  auto st = ctx_.client().Stat(path_);
  if (!st.ok()) return st.status();
  size_seen_ = st->size;
  return st->size;
}

Status File::Close() {
  if (!open_) return Status();
  open_ = false;
  ctx_.RemoveFile(this);
  auto pushed = PushSize();
  // A file unlinked while open has no size left to keep.
  if (!pushed.ok() && !IsNotFound(pushed.status())) return pushed.status();
  return Status();
}

}  // namespace benchfs::capi

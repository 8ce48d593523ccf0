// Path calls: stat with pending sizes pushed, unlink, truncate, mkdir, statfs.
#include "libbenchfs/paths.h"

#include <algorithm>
#include <cerrno>
#include <vector>

#include "libbenchfs/context.h"
#include "libbenchfs/file.h"
#include "runtime/io_buffer.h"

namespace benchfs::capi {
uint64_t StatusValue(const std::vector<std::pair<std::string, uint64_t>>& kv, const std::string& key) {
  for (const auto& [k, v] : kv) {
    if (k == key) return v;
  }
  return 0;
}

Result<Inode> StatPath(Context& ctx, const std::string& path) {
  std::optional<Inode> last;
  if (const std::vector<File*>* files = ctx.FilesOf(path)) {
    const std::vector<File*> open = *files;  // a push suspends: the table may change meanwhile
    for (File* f : open) {
      auto pushed = f->PushSize();
      if (!pushed.ok()) return pushed.status();
      if (*pushed) last = *pushed;
    }
  }
  // The server answers an update with the inode it keeps: no second call.
  if (last) return *last;
  return ctx.client().Stat(path);
}

Status Unlink(Context& ctx, const std::string& path) { return ctx.client().Remove(path); }

Status Truncate(Context& ctx, const std::string& path, uint64_t size) {
  FsClient& c = ctx.client();
  auto st = StatPath(ctx, path);
  if (!st.ok()) return st.status();
  if (st->type == InodeType::kDirectory) return Status::InvalidArgument(path + " is a directory", EISDIR);
  const uint64_t old = st->size;
  if (const std::vector<File*>* files = ctx.FilesOf(path)) {
    for (File* f : *files) f->ForgetBeyond(size);
  }
  if (size == 0 && old > 0) {
    Status rm = c.Remove(path);
    if (!rm.ok() && rm.code() != StatusCode::kNotFound) return rm;
    return c.Create(path, st->mode, InodeType::kFile).status();
  }
  auto r = c.Update(path, InodeUpdate::Truncate(size));
  if (!r.ok() || size >= old) return r.status();
  // The chunks still hold the dropped bytes: zeros keep them from showing
  // through a later extension.
  const uint64_t cs = ctx.chunk_size();
  IoBuffer zeros = IoBuffer::Allocate(static_cast<size_t>(std::min<uint64_t>(cs, old - size)), 64);
  for (uint64_t at = size; at < old;) {
    const uint64_t len = std::min(old - at, cs - at % cs);
    if (zeros.empty()) zeros = IoBuffer::Allocate(static_cast<size_t>(std::min<uint64_t>(cs, old - size)), 64);
    Status s = c.WriteChunk(path, at / cs, at % cs, zeros, static_cast<size_t>(len));
    if (!s.ok()) return s;
    at += len;
  }
  return Status();
}

Status Mkdir(Context& ctx, const std::string& path, uint32_t mode) {
  return ctx.client().Create(path, mode, InodeType::kDirectory).status();
}

Result<FsFigures> Statfs(Context& ctx) {
  FsClient& c = ctx.client();
  FsFigures f;
  f.servers = c.servers();
  f.chunk_size = ctx.chunk_size();
  for (uint32_t i = 0; i < c.servers(); ++i) {
    auto kv = c.ServerStatus(i);
    if (!kv.ok()) return Status(kv.status().code(), "STATUS of " + c.server(i).ToString() + ": " + kv.status().message());
    f.files += StatusValue(*kv, "metadata_entries");
    f.stored_bytes += StatusValue(*kv, "stored_bytes");
  }
  return f;
}

}  // namespace benchfs::capi

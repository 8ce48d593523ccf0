// SPDX-License-Identifier: BSD-3-Clause
// Path calls: stat with pending sizes pushed, the namespace calls, statfs.
#include "libbenchfs/paths.h"

#include <cerrno>
#include <vector>

#include "libbenchfs/context.h"
#include "libbenchfs/file.h"

namespace benchfs::capi {
namespace {

// Pushes the sizes pending in this context's handles of `path`; the inode
// the server answered the last push with, if any was needed.
Result<std::optional<Inode>> PushSizes(Context& ctx, const std::string& path) {
  std::optional<Inode> last;
  // A copy: a push suspends, and the table may change meanwhile.
  for (File* f : ctx.FilesOf(path)) {
    auto pushed = f->PushSize();
    if (!pushed.ok()) return pushed.status();
    if (*pushed) last = *pushed;
  }
  return last;
}

}  // namespace

uint64_t StatusValue(const std::vector<std::pair<std::string, uint64_t>>& kv, const std::string& key) {
  for (const auto& [k, v] : kv) {
    if (k == key) return v;
  }
  return 0;
}

Result<Inode> StatPath(Context& ctx, const std::string& path) {
  auto last = PushSizes(ctx, path);
  if (!last.ok()) return last.status();
  // The server answers an update with the inode it keeps: no second call.
  if (*last) return **last;
  return ctx.client().Stat(path);
}

Status Unlink(Context& ctx, const std::string& path) {
  // The size the server keeps decides which servers are asked for chunks.
  auto pushed = PushSizes(ctx, path);
  if (!pushed.ok() && pushed.status().code() != StatusCode::kNotFound) return pushed.status();
  return ctx.client().Unlink(path);
}

Status Truncate(Context& ctx, const std::string& path, uint64_t size) {
  auto pushed = PushSizes(ctx, path);
  if (!pushed.ok()) return pushed.status();
  auto st = ctx.client().Stat(path);
  if (!st.ok()) return st.status();
  if (st->type == InodeType::kDirectory) return Status::InvalidArgument(path + " is a directory", EISDIR);
  for (File* f : ctx.FilesOf(path)) f->ForgetBeyond(size);
  return ctx.client().Truncate(path, size).status();
}

Status Mkdir(Context& ctx, const std::string& path, uint32_t mode) {
  return ctx.client().Mkdir(path, mode).status();
}

Status Rmdir(Context& ctx, const std::string& path) { return ctx.client().Rmdir(path); }

Status Rename(Context& ctx, const std::string& from, const std::string& to) {
  auto pushed = PushSizes(ctx, from);
  if (!pushed.ok()) return pushed.status();
  Status s = ctx.client().Rename(from, to);
  if (!s.ok()) return s;
  if (from != to) ctx.RenameFiles(from, to);
  return Status();
}

Result<FsFigures> Statfs(Context& ctx) {
  FsClient& c = ctx.client();
  auto totals = c.StatFs();
  if (!totals.ok()) return totals.status();
  FsFigures f;
  f.servers = c.servers();
  f.chunk_size = totals->chunk_size;
  f.total_bytes = totals->total_bytes;
  f.free_bytes = totals->free_bytes;
  f.files = totals->files;
  for (uint32_t i = 0; i < c.servers(); ++i) {
    auto kv = c.ServerStatus(i);
    if (!kv.ok()) return Status(kv.status().code(), "STATUS of " + c.server(i).ToString() + ": " + kv.status().message());
    f.stored_bytes += StatusValue(*kv, "stored_bytes");
  }
  return f;
}

}  // namespace benchfs::capi

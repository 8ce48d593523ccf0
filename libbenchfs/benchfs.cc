// SPDX-License-Identifier: BSD-3-Clause
// The C API (include/benchfs/benchfs.h): argument checks, the call run on the
// context's executor (Context::Run), and errors as negative errno. No exception
// crosses this boundary: one that reaches it becomes -EIO with its message.
#include "benchfs/benchfs.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <limits>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "libbenchfs/context.h"
#include "libbenchfs/errors.h"
#include "libbenchfs/file.h"
#include "libbenchfs/paths.h"
#include "storage/path_name.h"

using benchfs::InodeType;
using benchfs::Result;
using benchfs::ServerRef;
using benchfs::Status;
using benchfs::capi::Context;
using benchfs::capi::Fail;
using benchfs::capi::File;

namespace {

Context* Ctx(benchfs_context* c) { return reinterpret_cast<Context*>(c); }
File* Fil(benchfs_file* f) { return reinterpret_cast<File*>(f); }

// Runs `body`, turning any exception into -EIO with its message.
template <typename T, typename Fn>
T Guard(const char* fn, Fn&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    return Fail(EIO, std::string(fn) + ": " + e.what());
  } catch (...) {
    return Fail(EIO, std::string(fn) + ": an unknown exception");
  }
}

// 0, or the error for a path the servers would refuse.
int CheckPath(const char* fn, const char* path) {
  if (path == nullptr) return Fail(EINVAL, std::string(fn) + ": path is NULL");
  const std::string_view p(path, ::strnlen(path, benchfs::kDefaultMaxPathLength + 1));
  if (p.size() > benchfs::kDefaultMaxPathLength) {
    return Fail(ENAMETOOLONG, std::string(fn) + ": path is longer than " +
                                  std::to_string(benchfs::kDefaultMaxPathLength) + " bytes");
  }
  // One walk: a component longer than NAME_MAX is ENAMETOOLONG, any other
  // fault EINVAL.
  Status s = benchfs::ValidatePath(p);
  if (!s.ok()) return Fail(benchfs::ErrnoOf(s) == ENAMETOOLONG ? ENAMETOOLONG : EINVAL, std::string(fn) + ": " + s.message());
  return 0;
}

int NoContext(const char* fn) { return Fail(EINVAL, std::string(fn) + ": context is NULL"); }
int NoFile(const char* fn) { return Fail(EINVAL, std::string(fn) + ": file is NULL"); }

// Splits "h:p,h:p" into server references.
Result<std::vector<ServerRef>> ParseServers(const std::string& list) {
  std::vector<ServerRef> refs;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string one = list.substr(start, comma - start);
    if (one.empty()) return Status::InvalidArgument("servers '" + list + "': an empty entry (use host:port,host:port)");
    auto r = ServerRef::Parse(one);
    if (!r.ok()) return Status::InvalidArgument("servers: " + r.status().message());
    refs.push_back(*r);
    start = comma + 1;
  }
  return refs;
}

void Store(int* err, int value) {
  if (err != nullptr) *err = value;
}

// The int an open/create failure is reported with, or 0 with *out set.
int OpenFile(const char* fn, benchfs_context* c, const char* path, int flags, mode_t mode, File** out) {
  if (c == nullptr) return NoContext(fn);
  if (int bad = CheckPath(fn, path)) return bad;
  if (flags & O_APPEND) {
    return Fail(EINVAL, std::string(fn) + " " + path + ": O_APPEND is not supported (give offsets to pwrite)");
  }
  benchfs::capi::OpenRequest req;
  switch (flags & O_ACCMODE) {
    case O_RDONLY:
      req.readable = true;
      break;
    case O_WRONLY:
      req.writable = true;
      break;
    case O_RDWR:
      req.readable = req.writable = true;
      break;
    default:
      return Fail(EINVAL, std::string(fn) + " " + path + ": the access mode is not O_RDONLY, O_WRONLY or O_RDWR");
  }
  req.create = (flags & O_CREAT) != 0;
  req.exclusive = req.create && (flags & O_EXCL) != 0;
  req.truncate = (flags & O_TRUNC) != 0;
  req.mode = static_cast<uint32_t>(mode) & 07777;
  Context* ctx = Ctx(c);
  std::string p = path;
  auto f = ctx->Run([&] { return File::Open(*ctx, std::move(p), req); });
  if (!f.ok()) return Fail(f.status(), std::string(fn) + " " + path);
  *out = *f;
  return 0;
}

benchfs_file* OpenOrCreate(const char* fn, benchfs_context* c, const char* path, int flags, mode_t mode,
                           int* err) {
  File* f = nullptr;
  const int rc = Guard<int>(fn, [&] { return OpenFile(fn, c, path, flags, mode, &f); });
  Store(err, rc);
  return rc == 0 ? reinterpret_cast<benchfs_file*>(f) : nullptr;
}

// A pread/pwrite's arguments: 0, or the error.
int CheckIo(const char* fn, benchfs_file* file, const void* buf, size_t count, off_t offset) {
  if (file == nullptr) return NoFile(fn);
  if (buf == nullptr && count > 0) return Fail(EINVAL, std::string(fn) + ": buf is NULL");
  if (offset < 0) return Fail(EINVAL, std::string(fn) + ": negative offset " + std::to_string(offset));
  if (count > static_cast<size_t>(SSIZE_MAX) ||
      static_cast<uint64_t>(offset) + count > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) {
    return Fail(EINVAL, std::string(fn) + ": offset " + std::to_string(offset) + " + count " +
                            std::to_string(count) + " passes the largest file offset");
  }
  return 0;
}

void FillStat(const benchfs::Inode& i, struct benchfs_stat* st) {
  st->id = i.id;
  st->size = i.size;
  st->mode = (i.mode & 07777) | (i.type == InodeType::kDirectory ? S_IFDIR : S_IFREG);
  st->ctime_ns = i.ctime_ns;
  st->mtime_ns = i.mtime_ns;
}

// A path call: checks, runs `op(ctx, path)` on the executor, reports.
template <typename Op>
int PathCall(const char* fn, benchfs_context* c, const char* path, Op&& op) {
  return Guard<int>(fn, [&]() -> int {
    if (c == nullptr) return NoContext(fn);
    if (int bad = CheckPath(fn, path)) return bad;
    Context* ctx = Ctx(c);
    const std::string p = path;
    Status s = ctx->Run([&] { return op(*ctx, p); });
    return s.ok() ? 0 : Fail(s, std::string(fn) + " " + path);
  });
}

}  // namespace

extern "C" {

benchfs_context* benchfs_init(const struct benchfs_options* options, int* err) {
  Context* out = nullptr;
  const int rc = Guard<int>("benchfs_init", [&]() -> int {
    if (options == nullptr) return Fail(EINVAL, "benchfs_init: options is NULL");
    benchfs::capi::ContextOptions o;
    if (options->servers != nullptr && options->servers[0] != '\0') {
      auto refs = ParseServers(options->servers);
      if (!refs.ok()) return Fail(refs.status(), "benchfs_init");
      o.servers = std::move(refs.value());
    } else if (options->registry != nullptr && options->registry[0] != '\0') {
      auto refs = benchfs::ListRegistry(options->registry);
      if (!refs.ok()) return Fail(refs.status(), "benchfs_init");
      o.servers = std::move(refs.value());
    } else {
      return Fail(EINVAL, "benchfs_init: give servers (host:port,...) or a registry directory");
    }
    o.chunk_size = options->chunk_size;
    if (options->ucx_tls != nullptr) o.ucx_tls = options->ucx_tls;
    if (options->timeout_ms > 0) o.call_timeout = std::chrono::milliseconds(options->timeout_ms);
    auto ctx = Context::Open(o);
    if (!ctx.ok()) return Fail(ctx.status(), "benchfs_init");
    out = ctx.value().release();
    return 0;
  });
  Store(err, rc);
  return reinterpret_cast<benchfs_context*>(out);
}

int benchfs_finalize(benchfs_context* ctx) {
  return Guard<int>("benchfs_finalize", [&]() -> int {
    if (ctx == nullptr) return NoContext("benchfs_finalize");
    delete Ctx(ctx);
    return 0;
  });
}

const char* benchfs_last_error(void) { return benchfs::capi::LastError(); }

benchfs_file* benchfs_create(benchfs_context* ctx, const char* path, int flags, mode_t mode, int* err) {
  return OpenOrCreate("benchfs_create", ctx, path, flags | O_CREAT, mode, err);
}

benchfs_file* benchfs_open(benchfs_context* ctx, const char* path, int flags, int* err) {
  return OpenOrCreate("benchfs_open", ctx, path, flags, 0644, err);
}

int benchfs_close(benchfs_file* file) {
  return Guard<int>("benchfs_close", [&]() -> int {
    if (file == nullptr) return NoFile("benchfs_close");
    File* f = Fil(file);
    Context& ctx = f->context();
    // A handle with no size to push closes without a fiber or an RPC.
    if (ctx.TryInline([f] {
          if (f->HasSizeToPush()) return false;
          f->Close().IgnoreError();  // sends nothing: cannot fail
          delete f;
          return true;
        })) {
      return 0;
    }
    const std::string path = f->path();
    Status s = ctx.Run([f] {
      Status closed = f->Close();
      delete f;
      return closed;
    });
    return s.ok() ? 0 : Fail(s, "benchfs_close " + path);
  });
}

ssize_t benchfs_pread(benchfs_file* file, void* buf, size_t count, off_t offset) {
  return Guard<ssize_t>("benchfs_pread", [&]() -> ssize_t {
    if (int bad = CheckIo("benchfs_pread", file, buf, count, offset)) return bad;
    File* f = Fil(file);
    if (!f->readable()) return Fail(EBADF, "benchfs_pread " + f->path() + ": not open for reading");
    if (count == 0) return 0;
    auto n = f->context().Run([&] { return f->Read(static_cast<std::byte*>(buf), count, static_cast<uint64_t>(offset)); });
    if (!n.ok()) return Fail(n.status(), "benchfs_pread " + f->path());
    return static_cast<ssize_t>(*n);
  });
}

ssize_t benchfs_pwrite(benchfs_file* file, const void* buf, size_t count, off_t offset) {
  return Guard<ssize_t>("benchfs_pwrite", [&]() -> ssize_t {
    if (int bad = CheckIo("benchfs_pwrite", file, buf, count, offset)) return bad;
    File* f = Fil(file);
    if (!f->writable()) return Fail(EBADF, "benchfs_pwrite " + f->path() + ": not open for writing");
    if (count == 0) return 0;
    Status s = f->context().Run(
        [&] { return f->Write(static_cast<const std::byte*>(buf), count, static_cast<uint64_t>(offset)); });
    if (!s.ok()) return Fail(s, "benchfs_pwrite " + f->path());
    return static_cast<ssize_t>(count);
  });
}

int benchfs_fsync(benchfs_file* file) {
  return Guard<int>("benchfs_fsync", [&]() -> int {
    if (file == nullptr) return NoFile("benchfs_fsync");
    File* f = Fil(file);
    Status s = f->context().Run([f] { return f->Sync(); });
    return s.ok() ? 0 : Fail(s, "benchfs_fsync " + f->path());
  });
}

int benchfs_fsize(benchfs_file* file, uint64_t* size) {
  return Guard<int>("benchfs_fsize", [&]() -> int {
    if (file == nullptr) return NoFile("benchfs_fsize");
    if (size == nullptr) return Fail(EINVAL, "benchfs_fsize: size is NULL");
    File* f = Fil(file);
    auto r = f->context().Run([f] { return f->Size(); });
    if (!r.ok()) return Fail(r.status(), "benchfs_fsize " + f->path());
    *size = *r;
    return 0;
  });
}

int benchfs_stat(benchfs_context* ctx, const char* path, struct benchfs_stat* st) {
  if (st == nullptr) return Fail(EINVAL, "benchfs_stat: st is NULL");
  return PathCall("benchfs_stat", ctx, path, [st](Context& c, const std::string& p) -> Status {
    auto r = benchfs::capi::StatPath(c, p);
    if (!r.ok()) return r.status();
    FillStat(*r, st);
    return Status();
  });
}

int benchfs_unlink(benchfs_context* ctx, const char* path) {
  return PathCall("benchfs_unlink", ctx, path, benchfs::capi::Unlink);
}

int benchfs_truncate(benchfs_context* ctx, const char* path, uint64_t size) {
  if (size > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) {
    return Fail(EINVAL, "benchfs_truncate: size " + std::to_string(size) + " passes the largest file offset");
  }
  return PathCall("benchfs_truncate", ctx, path,
                  [size](Context& c, const std::string& p) { return benchfs::capi::Truncate(c, p, size); });
}

int benchfs_mkdir(benchfs_context* ctx, const char* path, mode_t mode) {
  return PathCall("benchfs_mkdir", ctx, path, [mode](Context& c, const std::string& p) {
    return benchfs::capi::Mkdir(c, p, static_cast<uint32_t>(mode) & 07777);
  });
}

int benchfs_statfs(benchfs_context* ctx, struct benchfs_statfs* st) {
  return Guard<int>("benchfs_statfs", [&]() -> int {
    if (ctx == nullptr) return NoContext("benchfs_statfs");
    if (st == nullptr) return Fail(EINVAL, "benchfs_statfs: st is NULL");
    Context* c = Ctx(ctx);
    auto r = c->Run([c] { return benchfs::capi::Statfs(*c); });
    if (!r.ok()) return Fail(r.status(), "benchfs_statfs");
    std::memset(st, 0, sizeof(*st));
    st->servers = r->servers;
    st->chunk_size = r->chunk_size;
    st->files = r->files;
    st->used_bytes = r->stored_bytes;
    st->total_bytes = r->total_bytes;
    st->free_bytes = r->free_bytes;
    return 0;
  });
}

int benchfs_rmdir(benchfs_context* ctx, const char* path) {
  return PathCall("benchfs_rmdir", ctx, path, benchfs::capi::Rmdir);
}

int benchfs_rename(benchfs_context* ctx, const char* from, const char* to) {
  return Guard<int>("benchfs_rename", [&]() -> int {
    if (int bad = CheckPath("benchfs_rename", to)) return bad;
    return PathCall("benchfs_rename", ctx, from, [to](Context& c, const std::string& p) {
      return benchfs::capi::Rename(c, p, to);
    });
  });
}

int benchfs_readdir(benchfs_context* ctx, const char* path, benchfs_dirent_fn fn, void* arg) {
  return Guard<int>("benchfs_readdir", [&]() -> int {
    if (ctx == nullptr) return NoContext("benchfs_readdir");
    if (int bad = CheckPath("benchfs_readdir", path)) return bad;
    if (fn == nullptr) return Fail(EINVAL, "benchfs_readdir: fn is NULL");
    Context* c = Ctx(ctx);
    const std::string dir = path;
    std::string cursor;
    // Pages are fetched in calls of their own; `fn` runs outside them,
    // so it may call the library itself.
    do {
      auto page = c->Run([&] { return c->client().Readdir(dir, cursor); });
      if (!page.ok()) return Fail(page.status(), "benchfs_readdir " + dir);
      for (const benchfs::DirEntry& e : page->entries) {
        struct benchfs_stat st;
        FillStat(e.inode, &st);
        if (int rc = fn(arg, e.name.c_str(), &st)) return rc;
      }
      cursor = std::move(page->next);
    } while (!cursor.empty());
    return 0;
  });
}

}  // extern "C"

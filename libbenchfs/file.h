// SPDX-License-Identifier: BSD-3-Clause
// File: an open file of the C API (what a benchfs_file* points to).
//
// Sizes (close-to-open consistency): a File remembers the size the metadata
// server reported at open and the largest end written through it. A read
// within that size is split into chunk reads; one reaching past it stats
// the file once before deciding where the end is. A write sends its chunks
// and only raises the handle's written end; the size reaches the metadata
// server (META_UPDATE grow, which keeps the larger of the two sizes) when the
// handle is synced, closed, asked for the size, or the path is stat'ed
// through the same context. So a small write costs one RPC, and several
// processes writing one file find the right size after they have closed it.
//
// Chunks are named by the file's inode id (FsClient::WriteChunkOf), kept from
// open: a handle keeps reading and writing its file after a rename.
//
// Every method runs inside Context::Run, on the thread driving the executor; fibers of
// several callers may use one File at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "runtime/status.h"
#include "storage/inode.h"

namespace benchfs::capi {

class Context;

// What open/create are asked to do (the open(2) flags, decoded).
struct OpenRequest {
  bool create = false;
  bool exclusive = false;
  bool truncate = false;
  bool readable = false;
  bool writable = false;
  uint32_t mode = 0644;
};

class File {
 public:
  // Opens (creating it when asked) `path`. ENOENT (the file or, creating,
  // its parent), EEXIST (exclusive), ENOTDIR, or EISDIR for a directory.
  static Result<File*> Open(Context& ctx, std::string path, const OpenRequest& req);
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Exact count: fewer bytes than asked only at the end of the file, holes
  // read as zeros.
  Result<size_t> Read(std::byte* buf, size_t count, uint64_t offset);
  Status Write(const std::byte* buf, size_t count, uint64_t offset);
  // Pushes the size, then asks every server to sync the file.
  Status Sync();
  // The size as the metadata server keeps it (after pushing this handle's).
  Result<uint64_t> Size();
  // Pushes the size and leaves the context's table; the caller deletes it.
  Status Close();
  // Whether Close (or PushSize) has a size to send, i.e. would wait.
  bool HasSizeToPush() const { return open_ && written_end_ > pushed_end_; }

  // Sends the handle's written end to the metadata server when it has grown
  // since the last push; the inode the server answered (if it was asked).
  Result<std::optional<Inode>> PushSize();

  // After a truncate to `size` through the same context: nothing beyond it
  // is pending any more.
  void ForgetBeyond(uint64_t size) {
    written_end_ = written_end_ < size ? written_end_ : size;
    pushed_end_ = pushed_end_ < size ? pushed_end_ : size;
    size_seen_ = size;
  }

  Context& context() { return ctx_; }
  const std::string& path() const { return path_; }
  // After a rename through the same context: the name sizes are pushed to.
  void set_path(std::string path) { path_ = std::move(path); }
  uint64_t id() const { return id_; }
  bool readable() const { return readable_; }
  bool writable() const { return writable_; }

 private:
  File(Context& ctx, std::string path, const Inode& inode, const OpenRequest& req);
  // Runs fn(offset, buffer offset, length) for every chunk piece of the
  // range [offset, offset + count), several pieces at a time.
  Status ForEachPiece(uint64_t offset, size_t count,
                      const std::function<Status(uint64_t, size_t, size_t)>& fn);
  uint64_t KnownSize() const { return size_seen_ > written_end_ ? size_seen_ : written_end_; }

  Context& ctx_;
  std::string path_;
  uint64_t id_;  // the inode id: names the chunks
  bool readable_;
  bool writable_;
  bool open_ = true;
  uint64_t size_seen_;      // the metadata server's size at open or the last stat
  uint64_t written_end_ = 0;  // the largest end written through this handle
  uint64_t pushed_end_ = 0;   // the largest end sent to the metadata server
};

}  // namespace benchfs::capi

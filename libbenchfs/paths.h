// SPDX-License-Identifier: BSD-3-Clause
// The C API's calls on paths (stat, unlink, truncate, mkdir, rmdir, rename)
// and on the servers as a whole (statfs), each run on the executor
// thread inside Context::Run. They follow the servers' namespace rules
// (FsClient's namespace calls, docs/namespace.md).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/status.h"
#include "storage/inode.h"

namespace benchfs::capi {

class Context;

// What the metadata server keeps, after the sizes pending in this context's
// handles of `path` have been pushed to it.
Result<Inode> StatPath(Context& ctx, const std::string& path);
// A file's metadata entry and its chunks (EISDIR for a directory).
Status Unlink(Context& ctx, const std::string& path);
// Sets the size; a shrink cuts the chunks, so a later extension reads zeros
// there. This context's handles of the path forget the sizes they had not
// pushed beyond the new one.
Status Truncate(Context& ctx, const std::string& path, uint64_t size);
Status Mkdir(Context& ctx, const std::string& path, uint32_t mode);
Status Rmdir(Context& ctx, const std::string& path);
// Pushes the pending sizes of handles of `from` first; they keep working
// (their chunks are named by inode id) and push to `to` afterwards.
Status Rename(Context& ctx, const std::string& from, const std::string& to);
struct FsFigures {
  uint32_t servers = 0;
  uint64_t chunk_size = 0;
  uint64_t total_bytes = 0;    // the servers' data file systems, summed
  uint64_t free_bytes = 0;
  uint64_t files = 0;          // metadata entries, summed
  uint64_t stored_bytes = 0;   // chunk bytes held, summed
};
// The value of STATUS counter `key` (0 if absent).
uint64_t StatusValue(const std::vector<std::pair<std::string, uint64_t>>& kv, const std::string& key);

// STATFS and STATUS of every server, summed.
Result<FsFigures> Statfs(Context& ctx);

}  // namespace benchfs::capi

// The C API's calls on paths (stat, unlink, truncate, mkdir) and on the
// servers as a whole (statfs), each run on the executor thread inside
// Context::Run.
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
// The metadata entry and every chunk.
Status Unlink(Context& ctx, const std::string& path);
// Sets the size. Shrinking overwrites the dropped range with zeros (to 0: the
// file is removed and created again), so a later extension reads zeros there;
// this context's handles of the path forget the sizes they had not pushed
// beyond the new one.
Status Truncate(Context& ctx, const std::string& path, uint64_t size);
Status Mkdir(Context& ctx, const std::string& path, uint32_t mode);

struct FsFigures {
  uint32_t servers = 0;
  uint64_t chunk_size = 0;
  uint64_t files = 0;          // metadata entries, summed
  uint64_t stored_bytes = 0;   // chunk bytes held, summed
};
// The value of STATUS counter `key` (0 if absent).
uint64_t StatusValue(const std::vector<std::pair<std::string, uint64_t>>& kv, const std::string& key);

// STATUS of every server, summed.
Result<FsFigures> Statfs(Context& ctx);

}  // namespace benchfs::capi

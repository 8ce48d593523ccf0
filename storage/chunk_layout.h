// SPDX-License-Identifier: BSD-3-Clause
// The chunk store's on-disk layout:
//
//   <data_dir>/chunks/<shard>/<file id hex>.<index>   one file per chunk
//   <data_dir>/chunks/<shard>/<file id hex>.path      owner record: "<path>\n"
//
// <shard> is the file id's low byte in two hex digits (00..ff, all created at
// start-up), so a file's chunks share one directory and the directories stay
// small. PrepareDataDir() creates the tree and proves it is usable (a probe
// file is written, synced and removed) so a bad data_dir fails at start-up
// with the reason, not at the first write.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/status.h"
#include "runtime/unique_fd.h"

namespace benchfs {

inline constexpr unsigned kChunkShards = 256;
// The pseudo chunk index of a file's owner record.
inline constexpr uint64_t kOwnerRecordIndex = UINT64_MAX;

inline unsigned ShardOf(uint64_t file_id) { return static_cast<unsigned>(file_id & 0xff); }
// "<shard>", relative to the chunks directory.
std::string ShardDirName(unsigned shard);
// "<shard>/<hex>.<index>" (or ".path" for kOwnerRecordIndex), relative to the chunks directory.
std::string ChunkFileName(uint64_t file_id, uint64_t index);

// Creates data_dir/chunks/00..ff, writes+syncs+removes a probe file (with
// O_DIRECT when `direct_io`), syncs the directories, and returns an open fd
// of data_dir/chunks.
Result<UniqueFd> PrepareDataDir(const std::string& data_dir, bool direct_io);

}  // namespace benchfs

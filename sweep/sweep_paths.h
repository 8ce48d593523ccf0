// SPDX-License-Identifier: BSD-3-Clause
// Names a sweep uses in its data directory and in the file system it
// serves, shared by the data preparation and the points.
#pragma once

#include <cstdint>
#include <string>

namespace benchfs {

// ChunkStore directory of the storage points, and their one file.
inline std::string StorageDataDir(const std::string& data_dir) { return data_dir + "/storage"; }
inline constexpr const char* kStoragePath = "/sweep/storage";
inline constexpr uint64_t kStorageChunkSize = 4 << 20;

// benchfsd data directory of the end-to-end points (in-process or child).
inline std::string EndToEndDataDir(const std::string& data_dir) { return data_dir + "/e2e"; }
// File `i` of the end-to-end write/read points (one per operation in flight).
inline std::string EndToEndFile(uint64_t i) { return "/sweep/f" + std::to_string(i); }
// Path of the seq-th create (the metadata log starts empty at every point).
inline std::string EndToEndCreatePath(uint64_t seq) { return "/sweep/m" + std::to_string(seq); }

// Offset of the seq-th 4 KiB storage operation in the 4 MiB chunk: the
// sequence benchfs-storage-bench uses.
inline uint64_t StorageOffset(uint64_t seq, uint64_t io_size) {
  const uint64_t slots = kStorageChunkSize / io_size;
  return ((seq * 7919) % slots) * io_size;
}

}  // namespace benchfs

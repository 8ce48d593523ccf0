// SPDX-License-Identifier: BSD-3-Clause
// Inode: what the metadata store keeps about one path - its id (the chunk
// store's file id), type, size, mode and times - and the update a caller may
// apply to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace benchfs {

enum class InodeType : uint8_t { kFile = 1, kDirectory = 2 };

inline std::string_view InodeTypeName(InodeType t) {
  return t == InodeType::kDirectory ? "directory" : "file";
}

struct Inode {
  uint64_t id = 0;
  uint64_t size = 0;
  int64_t ctime_ns = 0;  // CLOCK_REALTIME, nanoseconds since the epoch
  int64_t mtime_ns = 0;
  uint32_t mode = 0;
  InodeType type = InodeType::kFile;  // last: the struct packs into 40 bytes

  bool operator==(const Inode&) const = default;
};

// An update: `size` grows the file (size = max(old, new)) unless `truncate`
// is set, in which case it is the new size; `mode` replaces the mode. mtime
// is set to now.
struct InodeUpdate {
  std::optional<uint64_t> size;
  bool truncate = false;
  std::optional<uint32_t> mode;

  static InodeUpdate Grow(uint64_t size) { return {size, false, std::nullopt}; }
  static InodeUpdate Truncate(uint64_t size) { return {size, true, std::nullopt}; }
  static InodeUpdate Mode(uint32_t mode) { return {std::nullopt, false, mode}; }
};

}  // namespace benchfs

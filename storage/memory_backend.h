// SPDX-License-Identifier: BSD-3-Clause
// MemoryBackend: chunks held in memory, no disk at all, so benchmarks can
// isolate the network path. Bounded by memory_limit (a write beyond it fails
// like ENOSPC). Durability is always `none`.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <unordered_map>
#include <vector>

#include "storage/chunk_backend.h"
#include "storage/chunk_store_options.h"

namespace benchfs {

// Chunk bytes: buffers of 1 MiB or more are aligned to 2 MiB and advised
// MADV_HUGEPAGE, so that a chunk written in order faults in 2 MiB at a time
// rather than 4 KiB where the kernel has transparent huge pages (measured:
// 5 263 page faults for 20 MiB of 4 KiB appends, 153 with the advice).
struct ChunkBytesAllocator {
  using value_type = std::byte;
  template <typename U>
  struct rebind {
    static_assert(std::is_same_v<U, std::byte>, "chunk bytes only");
    using other = ChunkBytesAllocator;
  };
  static constexpr size_t kHugePage = size_t{2} << 20;
  ChunkBytesAllocator() = default;
  std::byte* allocate(size_t n);
  void deallocate(std::byte* p, size_t) noexcept;
  // Growth leaves new bytes uninitialised: Write zeroes only a hole before
  // the written range, not the bytes it is about to copy in.
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(p)) U;
    } else {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  }
  bool operator==(const ChunkBytesAllocator&) const { return true; }
};
using ChunkBytes = std::vector<std::byte, ChunkBytesAllocator>;

class MemoryBackend final : public ChunkBackend {
 public:
  explicit MemoryBackend(const ChunkStoreOptions& options) : options_(options) {}

  Status Write(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& data,
               size_t len) override;
  Result<size_t> Read(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& buf,
                      size_t len) override;
  Status Remove(const std::string& path, uint64_t file_id) override;
  Status Truncate(const std::string& path, uint64_t file_id, uint64_t size) override;
  Status Sync(const std::string&, uint64_t) override { return Status(); }
  Status Close() override { return Status(); }
  Result<std::string> LoadOwner(uint64_t file_id) override;
  Status StoreOwner(uint64_t file_id, const std::string& path) override;
  Result<std::vector<std::string>> OwnedPaths() override;
  StoreUsage Usage() override { return {chunks_.size(), bytes_}; }

  uint64_t bytes() const { return bytes_; }

 private:
  ChunkStoreOptions options_;
  std::unordered_map<ChunkId, ChunkBytes, ChunkIdHash> chunks_;
  std::unordered_map<uint64_t, std::string> owners_;
  uint64_t bytes_ = 0;
};

}  // namespace benchfs

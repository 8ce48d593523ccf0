// SPDX-License-Identifier: BSD-3-Clause
// MemoryBackend: chunks held in memory, no disk at all, so benchmarks can
// isolate the network path. Bounded by memory_limit (a write beyond it fails
// like ENOSPC). Durability is always `none`.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/chunk_backend.h"
#include "storage/chunk_store_options.h"

namespace benchfs {

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
  std::unordered_map<ChunkId, std::vector<std::byte>, ChunkIdHash> chunks_;
  std::unordered_map<uint64_t, std::string> owners_;
  uint64_t bytes_ = 0;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// MemoryBackend: a map of byte vectors.
#include "storage/memory_backend.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace benchfs {

std::byte* ChunkBytesAllocator::allocate(size_t n) {
  void* p = nullptr;
  if (n >= (size_t{1} << 20)) {
    const size_t rounded = (n + kHugePage - 1) / kHugePage * kHugePage;
    p = std::aligned_alloc(kHugePage, rounded);
    if (p != nullptr) (void)::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: refused, 4 KiB pages serve
  } else {
    p = std::malloc(n);
  }
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<std::byte*>(p);
}

void ChunkBytesAllocator::deallocate(std::byte* p, size_t) noexcept { std::free(p); }

Status MemoryBackend::Write(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& data,
                            size_t len) {
  ChunkBytes& v = chunks_[c];
  const uint64_t end = offset + len;
  if (end > v.size()) {
    if (bytes_ + (end - v.size()) > options_.memory_limit) {
      if (v.empty()) chunks_.erase(c);
      return Status::ResourceExhausted("write chunk " + std::to_string(c.index) + " of '" + path +
                        "' (memory backend): memory_limit of " + std::to_string(options_.memory_limit) +
                        " bytes reached (like ENOSPC); raise memory_limit",
                    ENOSPC);
    }
    bytes_ += end - v.size();
    if (end > v.capacity() && !v.empty()) {
      // A chunk that grows past its first write (a file written in order)
      // gets room for a whole chunk at once: doubling would copy it again
      // and again, faulting every copied page in anew. Untouched room is
      // address space only (with huge pages, up to 2 MiB of memory more).
      v.reserve(std::max<uint64_t>(end, options_.chunk_size));
    }
    const size_t old_size = v.size();
    v.resize(end);
    if (offset > old_size) std::memset(v.data() + old_size, 0, offset - old_size);  // a hole reads as zeros
  }
  std::memcpy(v.data() + offset, data.data(), len);
  return Status();
}

Result<size_t> MemoryBackend::Read(const std::string& path, ChunkId c, uint64_t offset, IoBuffer& buf,
                                   size_t len) {
  auto it = chunks_.find(c);
  if (it == chunks_.end()) {
    return Status::NotFound("chunk " + std::to_string(c.index) + " of '" + path + "' does not exist");
  }
  const ChunkBytes& v = it->second;
  if (offset >= v.size()) return size_t{0};
  const size_t n = std::min<uint64_t>(len, v.size() - offset);
  std::memcpy(buf.data(), v.data() + offset, n);
  return n;
}

Status MemoryBackend::Remove(const std::string&, uint64_t file_id) {
  for (auto it = chunks_.begin(); it != chunks_.end();) {
    if (it->first.file_id == file_id) {
      bytes_ -= it->second.size();
      it = chunks_.erase(it);
    } else {
      ++it;
    }
  }
  owners_.erase(file_id);
  return Status();
}

Status MemoryBackend::Truncate(const std::string&, uint64_t file_id, uint64_t size) {
  const uint64_t chunk = options_.chunk_size;
  for (auto it = chunks_.begin(); it != chunks_.end();) {
    const uint64_t start = it->first.index * chunk;
    if (it->first.file_id != file_id || start + it->second.size() <= size) {
      ++it;
    } else if (start >= size) {
      bytes_ -= it->second.size();
      it = chunks_.erase(it);
    } else {
      bytes_ -= it->second.size() - (size - start);
      it->second.resize(size - start);
      ++it;
    }
  }
  return Status();
}

Result<std::string> MemoryBackend::LoadOwner(uint64_t file_id) {
  auto it = owners_.find(file_id);
  if (it == owners_.end()) return Status::NotFound("no owner record");
  return it->second;
}

Status MemoryBackend::StoreOwner(uint64_t file_id, const std::string& path) {
  owners_[file_id] = path;
  return Status();
}

Result<std::vector<std::string>> MemoryBackend::OwnedPaths() {
  std::vector<std::string> out;
  out.reserve(owners_.size());
  for (const auto& [id, path] : owners_) out.push_back(path);
  return out;
}

}  // namespace benchfs

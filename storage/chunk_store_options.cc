// SPDX-License-Identifier: BSD-3-Clause
// ChunkStoreOptions validation and names.
#include "storage/chunk_store_options.h"

#include "runtime/executor_config.h"

namespace benchfs {
namespace {

Status OutOfRange(std::string_view knob, uint64_t v, const std::string& range) {
  return Status::InvalidArgument(std::string(knob) + " = " + std::to_string(v) + " is out of range: allowed " + range);
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

std::string_view ChunkBackendName(ChunkBackendKind k) {
  switch (k) {
    case ChunkBackendKind::kUring: return "uring";
    case ChunkBackendKind::kPosix: return "posix";
    case ChunkBackendKind::kMemory: return "memory";
  }
  return "?";
}

Result<ChunkBackendKind> ParseChunkBackend(std::string_view text) {
  if (text == "uring") return ChunkBackendKind::kUring;
  if (text == "posix") return ChunkBackendKind::kPosix;
  if (text == "memory") return ChunkBackendKind::kMemory;
  return Status::InvalidArgument("backend '" + std::string(text) + "' is unknown: use uring, posix or memory");
}

Status ChunkStoreOptions::Validate() const {
  if (backend != ChunkBackendKind::kMemory && data_dir.empty()) {
    return Status::InvalidArgument("data_dir is not set: backend " + std::string(ChunkBackendName(backend)) +
                      " needs a directory for its chunk files");
  }
  if (chunk_size < 4096 || chunk_size > (1ull << 30) || chunk_size % 4096 != 0) {
    return OutOfRange("chunk_size", chunk_size, "4096..1073741824, a multiple of 4096");
  }
  if (group_interval < std::chrono::microseconds(1) || group_interval > std::chrono::seconds(1)) {
    return Status::InvalidArgument("group_interval = " + FormatDuration(group_interval) +
                                                    " is out of range: allowed 1us..1s");
  }
  if (!IsPowerOfTwo(direct_io_alignment) || direct_io_alignment < 512 ||
      direct_io_alignment > 65536) {
    return OutOfRange("direct_io_alignment", direct_io_alignment, "a power of two in 512..65536");
  }
  if (direct_io && backend != ChunkBackendKind::kUring) {
    return Status::InvalidArgument("direct_io = true needs backend = uring (backend is " +
                      std::string(ChunkBackendName(backend)) + ")");
  }
  if (max_open_files < 1 || max_open_files > 65536) {
    return OutOfRange("max_open_files", max_open_files, "1..65536");
  }
  if (resolved_chunks > 65536) return OutOfRange("resolved_chunks", resolved_chunks, "0..65536");
  if (registered_buffers > 16384) return OutOfRange("registered_buffers", registered_buffers, "0..16384");
  if (registered_buffers > 0 && (registered_buffer_size < 512 || registered_buffer_size > (1u << 30))) {
    return OutOfRange("registered_buffer_size", registered_buffer_size, "512..1073741824");
  }
  if (backend == ChunkBackendKind::kMemory && durability != DurabilityPolicy::kNone) {
    return Status::InvalidArgument("durability = " + std::string(DurabilityPolicyName(durability)) +
                      " is impossible with backend = memory (nothing reaches a disk): use durability = none");
  }
  if (memory_limit < chunk_size) {
    return OutOfRange("memory_limit", memory_limit, "at least chunk_size");
  }
  if (max_path_length < 2 || max_path_length > kMaxPathLengthLimit) {
    return OutOfRange("max_path_length", max_path_length, "2..65535");
  }
  if (file_id == nullptr) return Status::InvalidArgument("file_id function is not set");
  return Status();
}

std::string ChunkStoreOptions::Describe() const {
  std::string s = "backend=" + std::string(ChunkBackendName(backend)) +
                  " durability=" + std::string(DurabilityPolicyName(durability));
  if (durability == DurabilityPolicy::kGroup) s += " group_interval=" + FormatDuration(group_interval);
  s += " chunk_size=" + std::to_string(chunk_size);
  if (backend == ChunkBackendKind::kUring) s += std::string(" direct_io=") + (direct_io ? "on" : "off");
  return s;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// ChunkStoreOptions: every knob of the chunk store, with validation that
// names the knob and its allowed range, and the backend names used by config
// files and command lines (the daemon loads these from TOML/CLI).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/clock.h"
#include "runtime/status.h"
#include "storage/durability.h"
#include "storage/file_id.h"
#include "storage/path_name.h"

namespace benchfs {

enum class ChunkBackendKind : unsigned char {
  kUring,   // io_uring: registered buffers, fixed files, optional O_DIRECT (default)
  kPosix,   // pread/pwrite on the executor thread: the reference, it blocks the loop
  kMemory,  // no disk: isolates the network path in benchmarks
};

std::string_view ChunkBackendName(ChunkBackendKind k);
// Accepts uring, posix, memory.
Result<ChunkBackendKind> ParseChunkBackend(std::string_view text);

struct ChunkStoreOptions {
  ChunkBackendKind backend = ChunkBackendKind::kUring;
  // Root of the on-disk layout (created if missing); unused by `memory`.
  std::string data_dir;
  // Bytes per chunk: a file's byte b lives in chunk b / chunk_size.
  uint64_t chunk_size = 4ull << 20;
  DurabilityPolicy durability = DurabilityPolicy::kNone;
  // `group`: the shortest time between two batched fdatasyncs.
  Duration group_interval = std::chrono::milliseconds(1);
  // Use O_DIRECT for reads and writes whose offset and length are multiples
  // of direct_io_alignment (others stay buffered). Checked at start-up.
  bool direct_io = false;
  size_t direct_io_alignment = 4096;
  // Chunk files kept open (LRU); each is also put in the ring's fixed-file
  // table while it has room (ExecutorConfig::fixed_files).
  uint32_t max_open_files = 256;
  // Chunks kept resolved (path checked, owner verified, file open) so that
  // an operation on one is a lookup and an I/O (LRU; 0 = resolve every time).
  // On disk an entry lives only while its file is open (max_open_files).
  uint32_t resolved_chunks = 1024;
  // `uring`: buffers registered with the ring at start-up when it has none
  // yet (0 = don't); ChunkStore::buffers() hands them out.
  uint32_t registered_buffers = 64;
  size_t registered_buffer_size = 16 * 1024;
  // `memory`: the most chunk bytes held; beyond it writes fail like ENOSPC.
  uint64_t memory_limit = 1ull << 30;
  size_t max_path_length = kDefaultMaxPathLength;
  // Path -> file id. Injectable so tests can force collisions.
  FileIdFunction file_id = &Xxh3FileId;

  // OK, or INVALID_ARGUMENT naming the first bad knob and its allowed range.
  Status Validate() const;
  // One line for result manifests: "backend=uring durability=fsync chunk_size=4194304 ...".
  std::string Describe() const;
};

}  // namespace benchfs

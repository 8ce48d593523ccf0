// SPDX-License-Identifier: BSD-3-Clause
// The storage floor BenchFS reports beside chunk writes and reads and
// metadata creates: bare liburing at queue depth 1 (no runtime, no store),
// run by the server in its own data dir with its own ring set-up (FLOOR,
// service/fs_service.h), shaped like the operations it bounds:
//   - data: `size`-byte writes overwriting `files` files in turn, each written
//     once beforehand (as the benchmark overwrites its pre-written chunk
//     files: the number of files matters, since a file whose time stamps
//     are stale makes ext4 hand the write to an io-wq worker), each followed
//     by a linked fdatasync when `sync` (durability fsync); then reads of the
//     same files;
//   - log append: `size`-byte appends at the end of a file (as the metadata
//     log appends a record), with a linked fdatasync when `sync`.
// Completions are busy-polled (entering the kernel only to run task work on
// rings that defer it), as the executor polls them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "measure/histogram.h"
#include "runtime/status.h"

namespace benchfs {

struct StorageFloorSpec {
  std::string dir;         // where the scratch file is made (and removed)
  size_t size = 4096;      // bytes per operation
  uint64_t count = 1000;   // measured operations per kind
  uint32_t ring_flags = 0; // IORING_SETUP_* of the ring being bounded
  uint32_t io_workers = 0; // io-wq bound per kind (0: the kernel's default)
  bool sync = false;       // fdatasync after each write (durability fsync)
  uint32_t files = 64;     // distinct files overwritten in turn
  // Called between two operations (never while one is in flight), e.g. to
  // let an event loop run.
  std::function<void()> between;
};

struct StorageFloor {
  Histogram write_ns;
  Histogram read_ns;
};

// Overwrites then reads (see above).
Result<StorageFloor> MeasureStorageFloor(const StorageFloorSpec& spec);
// Appends (see above); the histogram of the appends.
Result<Histogram> MeasureAppendFloor(const StorageFloorSpec& spec);

}  // namespace benchfs

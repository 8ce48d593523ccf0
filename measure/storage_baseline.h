// The storage floor BenchFS reports beside chunk writes and reads: bare
// liburing at queue depth 1 (no runtime), `size`-byte writes to a fresh file
// in `dir`, then reads of what was written (from the page cache).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "measure/histogram.h"
#include "runtime/status.h"

namespace benchfs {

struct StorageFloor {
  Histogram write_ns;
  Histogram read_ns;
};

Result<StorageFloor> MeasureStorageFloor(const std::string& dir, size_t size, uint64_t count);

}  // namespace benchfs

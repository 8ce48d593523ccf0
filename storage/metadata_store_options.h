// SPDX-License-Identifier: BSD-3-Clause
// MetadataStoreOptions: the metadata store's knobs (log, durability, limits),
// with validation that names the knob and its allowed range.
#pragma once

#include <cstddef>
#include <string>

#include "runtime/clock.h"
#include "runtime/status.h"
#include "storage/durability.h"
#include "storage/file_id.h"
#include "storage/path_name.h"

namespace benchfs {

struct MetadataStoreOptions {
  // Append-only log replayed at start; empty = in memory only (nothing survives).
  std::string log_path;
  // How log records are synced (see durability.h); `close` = on Sync()/Close().
  DurabilityPolicy durability = DurabilityPolicy::kNone;
  Duration group_interval = std::chrono::milliseconds(1);
  size_t max_path_length = kDefaultMaxPathLength;
  // The most entries one List() call returns.
  size_t max_list_page = 1024;
  // Path -> inode id (the chunk store's file id). Injectable for tests.
  FileIdFunction file_id = &Xxh3FileId;

  Status Validate() const;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Address registry: a directory where servers publish their UCX worker
// addresses so clients started by launchers without known ports (mpirun,
// Slurm) can find them. Each entry is `<dir>/<name>.addr`, written to a
// temporary file and renamed into place, so a reader never sees half an entry.
// Entry format: "BFSADDR1", u32 length, u32 FNV-1a checksum, address bytes.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "runtime/status.h"

namespace benchfs {

class Executor;

// Names are [A-Za-z0-9._-]{1,128}.
Status ValidateRegistryName(const std::string& name);
std::string RegistryPath(const std::string& dir, const std::string& name);

// Synchronous (call before serving): writes the entry with mode 0600.
Status PublishAddress(const std::string& dir, const std::string& name,
                      std::span<const std::byte> address);
Status UnpublishAddress(const std::string& dir, const std::string& name);

// From a fiber: reads an entry through io_uring. NOT_FOUND while it is absent,
// CORRUPTION if it is not a valid entry.
Result<std::vector<std::byte>> ReadAddress(Executor& ex, const std::string& dir,
                                           const std::string& name);
// Outside any event loop (blocking reads): the same as ReadAddress.
Result<std::vector<std::byte>> ReadAddressBlocking(const std::string& dir, const std::string& name);
// From a fiber: polls for the entry (sleeping between tries, never blocking
// the loop) until it appears or `deadline` passes.
Result<std::vector<std::byte>> WaitForAddress(Executor& ex, const std::string& dir,
                                              const std::string& name, TimePoint deadline);

}  // namespace benchfs

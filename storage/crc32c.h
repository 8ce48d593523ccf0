// SPDX-License-Identifier: BSD-3-Clause
// CRC-32C (Castagnoli), the checksum of each metadata log record. Uses the
// SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace benchfs {

// Extends `crc` (0 to start) over `n` bytes.
uint32_t Crc32c(uint32_t crc, const void* data, size_t n);

}  // namespace benchfs

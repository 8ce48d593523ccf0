// SPDX-License-Identifier: BSD-3-Clause
// File ids: the 64-bit name a path's chunks are stored under, xxh3 of the
// path (XXH3_64bits). Two paths can share an id (a hash collision); the
// stores keep the path beside the id so such a collision is detected and
// refused, never silently shared. The function is injectable through the
// stores' options so tests can force collisions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace benchfs {

using FileIdFunction = uint64_t (*)(std::string_view path);

// XXH3_64bits(path), seed 0.
uint64_t Xxh3FileId(std::string_view path);

// 16 lowercase hex digits.
std::string FileIdHex(uint64_t id);

}  // namespace benchfs

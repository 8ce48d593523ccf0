// SPDX-License-Identifier: BSD-3-Clause
// Path names as BenchFS stores them: absolute, normalised ("/a/b", never
// "a/b", "/a//b", "/a/./b", "/a/../b" or "/a/"), no NUL byte, and at most
// max_length bytes, each component at most kMaxNameLength bytes (NAME_MAX).
// Errors carry errno ENAMETOOLONG for a length and EINVAL for a shape. A path
// that breaks a rule is refused with a message that
// names the rule, before any store looks at it.
#pragma once

#include <cstddef>
#include <string_view>

#include "runtime/status.h"

namespace benchfs {

inline constexpr size_t kDefaultMaxPathLength = 4096;
// The largest max_length a store accepts (paths are stored with a 16-bit length).
inline constexpr size_t kMaxPathLengthLimit = 65535;
// The longest component (POSIX NAME_MAX).
inline constexpr size_t kMaxNameLength = 255;

Status ValidatePath(std::string_view path, size_t max_length = kDefaultMaxPathLength);

}  // namespace benchfs

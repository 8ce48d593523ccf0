// SPDX-License-Identifier: BSD-3-Clause
// File ids: xxh3 and hex formatting.
#include "storage/file_id.h"

#include <xxhash.h>

namespace benchfs {

uint64_t Xxh3FileId(std::string_view path) { return XXH3_64bits(path.data(), path.size()); }

std::string FileIdHex(uint64_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, id >>= 4) s[static_cast<size_t>(i)] = kDigits[id & 0xf];
  return s;
}

}  // namespace benchfs

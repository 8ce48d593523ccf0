// SPDX-License-Identifier: BSD-3-Clause
// FileIdAllocator: a random salt over a counter from a random start.
#include "storage/file_id_allocator.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

namespace benchfs {

uint64_t RandomU64() {
  uint64_t v = 0;
  if (::getrandom(&v, sizeof(v), 0) != static_cast<ssize_t>(sizeof(v))) {
    // No entropy source: the clock still differs between stores and runs.
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    v = static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
    v ^= static_cast<uint64_t>(::getpid()) << 32;
  }
  return v;
}

FileIdAllocator::FileIdAllocator() : FileIdAllocator(RandomU64, kLowBits) {}

FileIdAllocator::FileIdAllocator(std::function<uint64_t()> random, int low_bits)
    : random_(std::move(random)), low_bits_(std::clamp(low_bits, 1, 32)) {
  Reseed();
}

void FileIdAllocator::Reseed() {
  const uint64_t low_mask = (uint64_t{1} << low_bits_) - 1;
  salt_ = random_() >> low_bits_;  // the top 64 - low_bits bits
  start_ = random_() & low_mask;
  issued_ = 0;
}

uint64_t FileIdAllocator::Next() {
  const uint64_t span = uint64_t{1} << low_bits_;
  for (;;) {
    if (issued_ == span) Reseed();
    const uint64_t id = (salt_ << low_bits_) | ((start_ + issued_++) & (span - 1));
    if (id != 0) return id;
  }
}

}  // namespace benchfs

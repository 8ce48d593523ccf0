// SPDX-License-Identifier: BSD-3-Clause
// Little-endian encoding helpers for the wire: fixed-width puts/gets and a
// bounds-checked reader/writer for operation headers. Nothing here trusts its
// input: every read checks the remaining length first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace benchfs {

template <typename T>
inline void PutLE(std::byte* p, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<std::byte>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
}

template <typename T>
inline T GetLE(const std::byte* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return static_cast<T>(v);
}

// Appends little-endian values to a byte vector.
class WireWriter {
 public:
  explicit WireWriter(std::vector<std::byte>& out) : out_(out) {}
  template <typename T>
  void Put(T v) {
    std::byte* p = Grow(sizeof(T));
    PutLE<T>(p, v);
  }
  // u16 length, then the bytes (truncated to 65535).
  void PutString(std::string_view s) {
    const size_t n = s.size() > 0xffff ? 0xffff : s.size();
    Put<uint16_t>(static_cast<uint16_t>(n));
    if (n > 0) std::memcpy(Grow(n), s.data(), n);
  }

 private:
  // Appends n bytes and returns where they start.
  std::byte* Grow(size_t n) {
    const size_t at = out_.size();
    if (n > out_.max_size() - at) std::abort();  // also tells the optimiser the bound
    out_.resize(at + n);
    return out_.data() + at;
  }

  std::vector<std::byte>& out_;
};

// Reads little-endian values; any read past the end fails and sets !ok().
class WireReader {
 public:
  explicit WireReader(std::span<const std::byte> in) : in_(in) {}
  template <typename T>
  bool Get(T* v) {
    if (!ok_ || in_.size() - pos_ < sizeof(T)) return ok_ = false;
    *v = GetLE<T>(in_.data() + pos_);
    pos_ += sizeof(T);
    return true;
  }
  bool GetString(std::string* s) {
    uint16_t n;
    if (!Get(&n) || in_.size() - pos_ < n) return ok_ = false;
    s->assign(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return true;
  }
  bool ok() const { return ok_; }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  std::span<const std::byte> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace benchfs

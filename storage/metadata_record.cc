// SPDX-License-Identifier: BSD-3-Clause
// Metadata log record encoding and decoding.
#include "storage/metadata_record.h"

#include <bit>
#include <cstring>

#include "storage/crc32c.h"

namespace benchfs {
namespace {

static_assert(std::endian::native == std::endian::little, "the log format is little-endian");

constexpr size_t kPutFixed = 8 + 1 + 4 + 8 + 8 + 8 + 2;
constexpr size_t kDeleteFixed = 8 + 2;
constexpr size_t kMaxPayload = kPutFixed + 65535;

template <typename T>
void Put(std::string* out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out->append(b, sizeof(T));
}

template <typename T>
T Get(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  p += sizeof(T);
  return v;
}

}  // namespace

void EncodeMetaRecord(MetaRecordType type, std::string_view path, const Inode& inode,
                      std::string* out) {
  const size_t start = out->size();
  const size_t payload =
      (type == MetaRecordType::kPut ? kPutFixed : kDeleteFixed) + path.size();
  Put<uint32_t>(out, 0);  // crc, filled in below
  Put<uint32_t>(out, static_cast<uint32_t>(payload));
  Put<uint8_t>(out, static_cast<uint8_t>(type));
  Put<uint64_t>(out, inode.id);
  if (type == MetaRecordType::kPut) {
    Put<uint8_t>(out, static_cast<uint8_t>(inode.type));
    Put<uint32_t>(out, inode.mode);
    Put<uint64_t>(out, inode.size);
    Put<int64_t>(out, inode.ctime_ns);
    Put<int64_t>(out, inode.mtime_ns);
  }
  Put<uint16_t>(out, static_cast<uint16_t>(path.size()));
  out->append(path);
  const uint32_t crc = Crc32c(0, out->data() + start + 4, out->size() - start - 4);
  std::memcpy(out->data() + start, &crc, 4);
}

DecodeOutcome DecodeMetaRecord(std::string_view data, MetaRecord* out, size_t* consumed,
                               std::string* why) {
  if (data.size() < kMetaRecordHeader) return DecodeOutcome::kIncomplete;
  const char* p = data.data();
  const uint32_t crc = Get<uint32_t>(p);
  const uint32_t len = Get<uint32_t>(p);
  const uint8_t type = Get<uint8_t>(p);
  if (len > kMaxPayload) {
    *why = "record length " + std::to_string(len) + " exceeds the format's limit";
    return DecodeOutcome::kCorrupt;
  }
  if (data.size() < kMetaRecordHeader + len) return DecodeOutcome::kIncomplete;
  if (Crc32c(0, data.data() + 4, 5 + len) != crc) {
    *why = "CRC mismatch";
    return DecodeOutcome::kCorrupt;
  }
  const char* end = p + len;
  size_t fixed;
  if (type == static_cast<uint8_t>(MetaRecordType::kPut)) {
    fixed = kPutFixed;
  } else if (type == static_cast<uint8_t>(MetaRecordType::kDelete)) {
    fixed = kDeleteFixed;
  } else {
    *why = "unknown record type " + std::to_string(type);
    return DecodeOutcome::kCorrupt;
  }
  if (len < fixed) {
    *why = "record shorter than its type's fixed part";
    return DecodeOutcome::kCorrupt;
  }
  out->type = static_cast<MetaRecordType>(type);
  out->inode = Inode{};
  out->inode.id = Get<uint64_t>(p);
  if (out->type == MetaRecordType::kPut) {
    const uint8_t itype = Get<uint8_t>(p);
    if (itype != static_cast<uint8_t>(InodeType::kFile) &&
        itype != static_cast<uint8_t>(InodeType::kDirectory)) {
      *why = "unknown inode type " + std::to_string(itype);
      return DecodeOutcome::kCorrupt;
    }
    out->inode.type = static_cast<InodeType>(itype);
    out->inode.mode = Get<uint32_t>(p);
    out->inode.size = Get<uint64_t>(p);
    out->inode.ctime_ns = Get<int64_t>(p);
    out->inode.mtime_ns = Get<int64_t>(p);
  }
  const uint16_t plen = Get<uint16_t>(p);
  if (p + plen != end) {
    *why = "path length disagrees with record length";
    return DecodeOutcome::kCorrupt;
  }
  out->path.assign(p, plen);
  *consumed = kMetaRecordHeader + len;
  return DecodeOutcome::kOk;
}

}  // namespace benchfs

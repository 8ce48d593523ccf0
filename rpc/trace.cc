// SPDX-License-Identifier: BSD-3-Clause
// The trace block's codec.
#include "rpc/trace.h"

#include "rpc/codec.h"

namespace benchfs {

void AppendTrace(const ServerTrace& t, std::vector<std::byte>& header) {
  const size_t at = header.size();
  header.resize(at + kTraceBlockSize);
  std::byte* p = header.data() + at;
  PutLE<uint64_t>(p, t.received_ns);
  PutLE<uint64_t>(p + 8, t.started_ns);
  PutLE<uint64_t>(p + 16, t.sent_ns);
  PutLE<uint64_t>(p + 24, t.io_ns);
  PutLE<uint64_t>(p + 32, t.log_ns);
}

ServerTrace DecodeTrace(std::span<const std::byte> header) {
  const std::byte* p = header.data() + header.size() - kTraceBlockSize;
  ServerTrace t;
  t.received_ns = GetLE<uint64_t>(p);
  t.started_ns = GetLE<uint64_t>(p + 8);
  t.sent_ns = GetLE<uint64_t>(p + 16);
  t.io_ns = GetLE<uint64_t>(p + 24);
  t.log_ns = GetLE<uint64_t>(p + 32);
  return t;
}

}  // namespace benchfs

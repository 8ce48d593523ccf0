// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target `bootstrap`: bytes arriving on benchfsd's --listen port, fed to
// the bootstrap decoders the way the listener and the client feed them - the
// whole input at once and one byte more at a time. The first input byte picks
// the decoder (even: request, odd: reply); the rest is the stream.
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "rpc/bootstrap.h"
#include "tests/fuzz/fuzz_targets.h"

namespace benchfs::fuzz {
namespace {

using State = BootstrapFrame::State;

std::string CheckStream(std::span<const std::byte> in, bool reply) {
  auto decode = [reply](std::span<const std::byte> b) {
    return reply ? DecodeBootstrapReply(b) : DecodeBootstrapRequest(b);
  };
  // Byte by byte, as a slow peer delivers it: once a prefix is complete or
  // invalid, the reader stops, so no later prefix may say otherwise.
  State settled = State::kIncomplete;
  size_t settled_at = 0;
  for (size_t n = 0; n <= in.size(); ++n) {
    BootstrapFrame f = decode(in.first(n));
    if (f.state == State::kComplete) {
      if (f.frame_size != n) return "a complete frame whose size is not the bytes given";
      if (f.body.size() != n - kBootstrapHeaderSize) return "a complete frame whose body does not fill it";
      if (f.body.size() > (reply ? kMaxBootstrapBody : 1024u)) return "a body beyond the limit was accepted";
      // What decodes re-encodes to the same bytes.
      const auto* body = reinterpret_cast<const std::byte*>(f.body.data());
      std::vector<std::byte> again =
          reply ? (f.status == 0 ? EncodeBootstrapReply(Status(), {body, f.body.size()})
                                 : std::vector<std::byte>(in.begin(), in.begin() + static_cast<long>(n)))
                : EncodeBootstrapRequest(f.body);
      if (again.size() != n || std::memcmp(again.data(), in.data(), n) != 0) {
        return "a decoded frame does not re-encode to its bytes";
      }
    }
    if (f.state == State::kInvalid && f.error.empty()) return "an invalid frame without a reason";
    if (f.state == State::kIncomplete && f.frame_size != 0 && f.frame_size <= n) {
      return "incomplete although the declared frame fits";
    }
    if (settled == State::kIncomplete && f.state != State::kIncomplete) {
      settled = f.state;
      settled_at = n;
    }
  }
  // The whole input at once agrees with the stream read up to where it settled.
  if (settled != State::kIncomplete && decode(in.first(settled_at)).state != settled) {
    return "the same prefix decoded two ways";
  }
  return "";
}

}  // namespace

std::string CheckBootstrap(const uint8_t* data, size_t size) {
  if (size == 0) return "";
  const bool reply = (data[0] & 1) != 0;
  // Bound the byte-by-byte replay: frames are small, and the fuzzer's time
  // is better spent on many inputs than on one long one.
  const size_t n = std::min<size_t>(size - 1, 4096);
  return CheckStream({reinterpret_cast<const std::byte*>(data + 1), n}, reply);
}

}  // namespace benchfs::fuzz

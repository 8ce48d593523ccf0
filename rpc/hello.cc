// SPDX-License-Identifier: BSD-3-Clause
// HELLO codec, constant-time token comparison and the token file loader.
#include "rpc/hello.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "rpc/codec.h"
#include "runtime/unique_fd.h"

namespace benchfs {

std::vector<std::byte> EncodeHello(const Hello& h) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.PutString(h.token);
  w.Put<uint8_t>(h.peer_failure_detection ? 1 : 0);
  w.Put<uint32_t>(static_cast<uint32_t>(h.address.size()));
  const size_t at = out.size();
  out.resize(at + h.address.size());
  if (!h.address.empty()) std::memcpy(out.data() + at, h.address.data(), h.address.size());
  return out;
}

Result<Hello> DecodeHello(std::span<const std::byte> header) {
  WireReader r(header);
  Hello h;
  uint32_t len = 0;
  uint8_t flags = 0;
  if (!r.GetString(&h.token) || !r.Get(&flags) || !r.Get(&len)) {
    return Status::ProtocolError("malformed hello header: truncated");
  }
  if (flags > 1) return Status::ProtocolError("malformed hello header: flags " + std::to_string(flags));
  h.peer_failure_detection = flags == 1;
  if (h.token.size() > kMaxTokenLength) {
    return Status::ProtocolError("malformed hello header: token longer than " +
                                                  std::to_string(kMaxTokenLength) + " bytes");
  }
  if (len == 0 || len > kMaxHelloAddress) {
    return Status::ProtocolError("malformed hello header: a worker address of " + std::to_string(len) +
                                                  " bytes (1.." + std::to_string(kMaxHelloAddress) + ")");
  }
  if (r.remaining() != len) {
    return Status::ProtocolError("malformed hello header: " + std::to_string(r.remaining()) +
                                                  " address bytes where " + std::to_string(len) + " were declared");
  }
  const std::byte* p = header.data() + (header.size() - len);
  h.address.assign(p, p + len);
  return h;
}

bool TokensEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

Result<std::string> LoadTokenFile(const std::string& path) {
  const std::string what = "token file " + path;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ELOOP) {
      return Status::PermissionDenied(what + " is a symbolic link; give the file itself");
    }
    return Status::FromErrno(errno, what);
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, what);
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(what + " is not a regular file");
  if (st.st_uid != ::geteuid()) {
    return Status::PermissionDenied(what + " is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
                      std::to_string(::geteuid()) + "); chown it");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied(what + " has mode " + mode + ": others can read the token; run chmod 600 " + path);
  }
  if (st.st_size > static_cast<off_t>(kMaxTokenLength + 2)) {
    return Status::InvalidArgument(what + " is " + std::to_string(st.st_size) + " bytes; a token is at most " +
                      std::to_string(kMaxTokenLength) + " bytes");
  }
  std::string token(kMaxTokenLength + 3, '\0');
  const ssize_t n = ::read(fd.get(), token.data(), token.size());
  if (n < 0) return Status::FromErrno(errno, what);
  token.resize(static_cast<size_t>(n));
  if (!token.empty() && token.back() == '\n') token.pop_back();
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty()) return Status::InvalidArgument(what + " is empty; put the shared token in it");
  if (token.size() > kMaxTokenLength) {
    return Status::InvalidArgument(what + ": the token is longer than " + std::to_string(kMaxTokenLength) + " bytes");
  }
  return token;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The bootstrap frames and the client side of the exchange.
#include "rpc/bootstrap.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "rpc/codec.h"
#include "rpc/hello.h"
#include "rpc/net_address.h"
#include "runtime/executor.h"
#include "runtime/unique_fd.h"
#include "runtime/uring_reactor.h"

namespace benchfs {

namespace {

constexpr char kMagic[8] = {'B', 'F', 'S', 'B', 'O', 'O', 'T', '1'};

std::vector<std::byte> Frame(uint16_t word, std::span<const std::byte> body) {
  std::vector<std::byte> out(kBootstrapHeaderSize + body.size());
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  PutLE<uint16_t>(out.data() + 8, kBootstrapVersion);
  PutLE<uint16_t>(out.data() + 10, word);
  PutLE<uint32_t>(out.data() + 12, static_cast<uint32_t>(body.size()));
  if (!body.empty()) std::memcpy(out.data() + kBootstrapHeaderSize, body.data(), body.size());
  return out;
}

BootstrapFrame Invalid(std::string why) {
  BootstrapFrame f;
  f.state = BootstrapFrame::State::kInvalid;
  f.error = std::move(why);
  return f;
}

// Decodes the common header; `max_body` bounds the declared length.
BootstrapFrame Decode(std::span<const std::byte> in, size_t max_body, const char* what) {
  BootstrapFrame f;
  // Check the magic on whatever prefix is there, so garbage fails at once.
  const size_t have = std::min(in.size(), sizeof(kMagic));
  if (have > 0 && std::memcmp(in.data(), kMagic, have) != 0) {
    return Invalid(std::string("not a BenchFS bootstrap ") + what + " (bad magic)");
  }
  if (in.size() < kBootstrapHeaderSize) return f;
  const uint16_t version = GetLE<uint16_t>(in.data() + 8);
  if (version != kBootstrapVersion) {
    return Invalid(std::string("bootstrap ") + what + " version " + std::to_string(version) +
                   " is not supported (this build speaks version " + std::to_string(kBootstrapVersion) + ")");
  }
  f.status = GetLE<uint16_t>(in.data() + 10);
  const uint32_t len = GetLE<uint32_t>(in.data() + 12);
  if (len > max_body) {
    return Invalid(std::string("bootstrap ") + what + " declares " + std::to_string(len) +
                   " body bytes (at most " + std::to_string(max_body) + ")");
  }
  f.frame_size = kBootstrapHeaderSize + len;
  if (in.size() < f.frame_size) return f;
  if (in.size() > f.frame_size) {
    return Invalid(std::string("bootstrap ") + what + " is followed by " +
                   std::to_string(in.size() - f.frame_size) + " unexpected bytes");
  }
  f.state = BootstrapFrame::State::kComplete;
  f.body = std::string_view(reinterpret_cast<const char*>(in.data()) + kBootstrapHeaderSize, len);
  return f;
}

// Waits until `fd` is ready for `events` or `deadline` passes.
using WaitFd = std::function<Status(int fd, short events, TimePoint deadline)>;

Status WithPeer(const NetAddress& addr, const Status& s) {
  return Status(s.code(), "bootstrap " + addr.ToString() + ": " + s.message(), s.sys_errno());
}

// The exchange, written once for both ways of waiting.
Result<std::vector<std::byte>> Exchange(const NetAddress& addr, std::string_view token, TimePoint deadline,
                                        const WaitFd& wait) {
  UniqueFd fd(::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::FromErrno(errno, "bootstrap: socket");
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd.get(), addr.sockaddr_ptr(), addr.length) != 0) {
    if (errno != EINPROGRESS) {
      return Status::Unavailable("cannot connect to " + addr.ToString() + ": " + std::strerror(errno) +
                        " (is benchfsd running and listening there?)",
                    errno);
    }
    Status s = wait(fd.get(), POLLOUT, deadline);
    if (!s.ok()) return WithPeer(addr, s);
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      return Status::Unavailable("cannot connect to " + addr.ToString() + ": " + std::strerror(err) +
                        " (is benchfsd running and listening there?)",
                    err);
    }
  }
  const std::vector<std::byte> request = EncodeBootstrapRequest(token);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      Status s = wait(fd.get(), POLLOUT, deadline);
      if (!s.ok()) return WithPeer(addr, s);
    } else {
      return Status::Unavailable("bootstrap " + addr.ToString() + ": sending the request failed: " + std::strerror(errno));
    }
  }
  std::vector<std::byte> in;
  std::byte buf[4096];
  while (true) {
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      Status s = wait(fd.get(), POLLIN, deadline);
      if (!s.ok()) return WithPeer(addr, s);
      continue;
    }
    if (n < 0) {
      return Status::Unavailable("bootstrap " + addr.ToString() + ": receiving the reply failed: " + std::strerror(errno));
    }
    in.insert(in.end(), buf, buf + n);
    BootstrapFrame f = DecodeBootstrapReply(in);
    if (f.state == BootstrapFrame::State::kInvalid) {
      return Status::Unavailable(addr.ToString() + " is not a BenchFS daemon's --listen port: " + f.error);
    }
    if (f.state == BootstrapFrame::State::kComplete) {
      if (f.status != 0) {
        const auto code = f.status <= static_cast<uint16_t>(StatusCode::kInternal) ? static_cast<StatusCode>(f.status)
                                                                                   : StatusCode::kInternal;
        return Status(code, std::string(f.body));
      }
      if (f.body.empty()) {
        return Status::ProtocolError("bootstrap " + addr.ToString() + ": empty worker address");
      }
      const auto* p = reinterpret_cast<const std::byte*>(f.body.data());
      return std::vector<std::byte>(p, p + f.body.size());
    }
    if (n == 0) {
      return Status::Unavailable("bootstrap " + addr.ToString() + ": the server closed the connection after " +
                        std::to_string(in.size()) + " bytes of its reply");
    }
  }
}

Status DeadlinePassed() { return Status::TimedOut("no answer before the connect deadline"); }

}  // namespace

std::vector<std::byte> EncodeBootstrapRequest(std::string_view token) {
  return Frame(0, std::as_bytes(std::span(token.data(), token.size())));
}

std::vector<std::byte> EncodeBootstrapReply(const Status& status, std::span<const std::byte> address) {
  if (status.ok()) return Frame(0, address);
  const std::string msg = status.message().substr(0, 1024);
  return Frame(static_cast<uint16_t>(status.code()), std::as_bytes(std::span(msg.data(), msg.size())));
}

BootstrapFrame DecodeBootstrapRequest(std::span<const std::byte> in) {
  BootstrapFrame f = Decode(in, kMaxTokenLength, "request");
  if (f.state != BootstrapFrame::State::kInvalid && in.size() >= kBootstrapHeaderSize && f.status != 0) {
    return Invalid("bootstrap request flags " + std::to_string(f.status) + " are not defined");
  }
  return f;
}

BootstrapFrame DecodeBootstrapReply(std::span<const std::byte> in) { return Decode(in, kMaxBootstrapBody, "reply"); }

Result<std::vector<std::byte>> FetchWorkerAddress(Executor& ex, const NetAddress& addr, std::string_view token,
                                                  TimePoint deadline) {
  return Exchange(addr, token, deadline, [&ex](int fd, short events, TimePoint d) -> Status {
    auto r = ex.uring().PollAdd(fd, static_cast<uint32_t>(events), WaitOptions::Until(d));
    if (r.ok()) return Status();
    if (r.status().code() == StatusCode::kTimedOut) return DeadlinePassed();
    return r.status();
  });
}

Result<std::vector<std::byte>> FetchWorkerAddressBlocking(const NetAddress& addr, std::string_view token,
                                                          TimePoint deadline) {
  return Exchange(addr, token, deadline, [](int fd, short events, TimePoint d) -> Status {
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d - Now()).count();
      if (d != kNoDeadline && left <= 0) return DeadlinePassed();
      pollfd p{fd, events, 0};
      const int n = ::poll(&p, 1, d == kNoDeadline ? -1 : static_cast<int>(std::min<long long>(left + 1, 1 << 30)));
      if (n > 0) return Status();
      if (n < 0 && errno != EINTR) return Status::FromErrno(errno, "poll");
    }
  });
}

}  // namespace benchfs

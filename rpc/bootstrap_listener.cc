// SPDX-License-Identifier: BSD-3-Clause
// BootstrapListener: accept fiber, per-connection fibers, bounded everything.
#include "rpc/bootstrap_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "rpc/bootstrap.h"
#include "rpc/hello.h"
#include "runtime/cancellation.h"
#include "runtime/executor.h"
#include "runtime/unique_fd.h"
#include "runtime/uring_reactor.h"

namespace benchfs {

struct BootstrapListener::State {
  State(Executor& ex, UniqueFd fd, std::vector<std::byte> address, BootstrapOptions opts)
      : listen_fd(std::move(fd)), worker_address(std::move(address)), options(std::move(opts)), stop(ex) {}
  UniqueFd listen_fd;
  std::vector<std::byte> worker_address;
  BootstrapOptions options;
  Cancellation stop;
  BootstrapStats stats;
  bool started = false;
};

namespace {

// Sends all of `bytes` before `deadline`; false if the peer is gone or slow.
bool SendAll(Executor& ex, int fd, std::span<const std::byte> bytes, TimePoint deadline) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!ex.uring().PollAdd(fd, POLLOUT, WaitOptions::Until(deadline)).ok()) return false;
    } else {
      return false;
    }
  }
  return true;
}

// Reads one request, answers it, closes. Every wait ends by `deadline`.
void ServeOne(Executor& ex, const std::shared_ptr<BootstrapListener::State>& st, UniqueFd fd) {
  const TimePoint deadline = Now() + st->options.request_timeout;
  std::vector<std::byte> in;
  in.reserve(256);
  std::byte buf[1024];
  BootstrapFrame f;
  while (true) {
    ssize_t n = ::recv(fd.get(), buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!ex.uring().PollAdd(fd.get(), POLLIN, WaitOptions::Until(deadline)).ok()) {
        ++st->stats.rejected;  // slow or silent peer
        return;
      }
      continue;
    }
    if (n <= 0) {
      ++st->stats.rejected;  // closed early or reset
      return;
    }
    in.insert(in.end(), buf, buf + n);
    f = DecodeBootstrapRequest(in);
    if (f.state != BootstrapFrame::State::kIncomplete) break;
  }
  if (f.state == BootstrapFrame::State::kInvalid) {
    ++st->stats.rejected;
    // A peer that speaks the protocol learns why; garbage gets the same bytes.
    SendAll(ex, fd.get(), EncodeBootstrapReply(Status::ProtocolError(f.error), {}), deadline);
    return;
  }
  if (!st->options.token.empty() && !TokensEqual(f.body, st->options.token)) {
    ++st->stats.denied;
    const char* why = f.body.empty() ? "this daemon requires a token (benchfs --token-file FILE)"
                                     : "wrong token (check --token-file)";
    SendAll(ex, fd.get(), EncodeBootstrapReply(Status::PermissionDenied(why), {}), deadline);
    return;
  }
  if (SendAll(ex, fd.get(), EncodeBootstrapReply(Status(), st->worker_address), deadline)) {
    ++st->stats.served;
  } else {
    ++st->stats.rejected;
  }
}

void AcceptLoop(Executor& ex, const std::shared_ptr<BootstrapListener::State>& st) {
  while (!st->stop.cancelled()) {
    int c = ::accept4(st->listen_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) {
        if (!ex.uring().PollAdd(st->listen_fd.get(), POLLIN, {kNoDeadline, &st->stop}).ok()) return;
      } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: back off instead of spinning on the error.
        ex.SleepFor(std::chrono::milliseconds(10));
      } else {
        return;  // the socket is closed
      }
      continue;
    }
    UniqueFd fd(c);
    if (st->stats.open >= st->options.max_connections) {
      ++st->stats.shed;
      continue;  // closed by fd's destructor
    }
    const int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ++st->stats.open;
    ex.Spawn([&ex, st, fd = std::make_shared<UniqueFd>(std::move(fd))]() mutable {
      ServeOne(ex, st, std::move(*fd));
      --st->stats.open;
    });
  }
}

}  // namespace

Result<std::unique_ptr<BootstrapListener>> BootstrapListener::Bind(Executor& ex, const NetAddress& addr,
                                                                   std::vector<std::byte> worker_address,
                                                                   BootstrapOptions options) {
  UniqueFd fd(::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::FromErrno(errno, "listening on " + addr.ToString() + ": socket");
  // A restarted daemon may listen again while old connections linger in
  // TIME_WAIT; a port another process listens on still fails.
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd.get(), addr.sockaddr_ptr(), addr.length) != 0) {
    const int err = errno;
    return Status(err == EADDRINUSE ? StatusCode::kAlreadyExists : StatusCode::kUnavailable,
                  "listening on " + addr.ToString() +
                      (err == EADDRINUSE ? std::string(" (address already in use)") : ": " + std::string(std::strerror(err))),
                  err);
  }
  if (::listen(fd.get(), 128) != 0) return Status::FromErrno(errno, "listening on " + addr.ToString());
  NetAddress bound = addr;
  socklen_t len = sizeof(bound.storage);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound.storage), &len) != 0) {
    return Status::FromErrno(errno, "getsockname");
  }
  bound.length = len;
  bound.port = PortOf(bound.storage);
  auto st = std::make_shared<State>(ex, std::move(fd), std::move(worker_address), std::move(options));
  return std::unique_ptr<BootstrapListener>(new BootstrapListener(ex, std::move(bound), std::move(st)));
}

BootstrapListener::BootstrapListener(Executor& ex, NetAddress bound, std::shared_ptr<State> state)
    : ex_(ex), bound_(std::move(bound)), state_(std::move(state)) {}

BootstrapListener::~BootstrapListener() { Stop(); }

void BootstrapListener::Start() {
  if (state_->started) return;
  state_->started = true;
  ex_.Spawn([&ex = ex_, st = state_] { AcceptLoop(ex, st); });
}

void BootstrapListener::Stop() {
  state_->stop.Cancel();
  // Shutting the socket down ends the accept fiber's poll; the descriptor
  // itself closes with the last fiber that holds the state.
  if (state_->listen_fd.valid()) ::shutdown(state_->listen_fd.get(), SHUT_RDWR);
}

const BootstrapStats& BootstrapListener::stats() const { return state_->stats; }

}  // namespace benchfs

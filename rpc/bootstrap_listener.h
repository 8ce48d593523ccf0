// SPDX-License-Identifier: BSD-3-Clause
// BootstrapListener: the daemon's --listen port. It answers each bootstrap
// request (rpc/bootstrap.h) with the UCX worker address, on the executor's
// loop and without ever blocking it: a fiber accepts (an io_uring poll on a
// non-blocking socket) and a fiber per connection reads the request and
// replies. Whatever arrives - garbage, half a frame, nothing at all, a flood -
// costs at most `max_connections` sockets, each for at most
// `request_timeout`; beyond that a connection is closed as soon as it is
// accepted. Nothing a peer sends reaches UCX.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rpc/net_address.h"
#include "runtime/clock.h"
#include "runtime/status.h"

namespace benchfs {

class Executor;

struct BootstrapStats {
  uint64_t served = 0;    // requests answered with the worker address
  uint64_t denied = 0;    // wrong or missing token
  uint64_t rejected = 0;  // malformed, timed out, or closed early
  uint64_t shed = 0;      // closed at once: max_connections were open
  uint64_t open = 0;      // connections being served now
};

struct BootstrapOptions {
  std::string token;  // when set, a request must carry it
  uint32_t max_connections = 64;
  Duration request_timeout = std::chrono::seconds(2);
};

class BootstrapListener {
 public:
  // Binds and listens on `addr` (port 0 picks one). Call before the loop or
  // from it; serving starts with Start().
  static Result<std::unique_ptr<BootstrapListener>> Bind(Executor& ex, const NetAddress& addr,
                                                         std::vector<std::byte> worker_address,
                                                         BootstrapOptions options);
  ~BootstrapListener();
  BootstrapListener(const BootstrapListener&) = delete;
  BootstrapListener& operator=(const BootstrapListener&) = delete;

  // Executor thread: starts the accept fiber (idempotent).
  void Start();
  // Executor thread: stops accepting and closes the socket; connections
  // being served finish within their timeout.
  void Stop();

  const NetAddress& address() const { return bound_; }
  const BootstrapStats& stats() const;

  struct State;  // shared with the serving fibers (bootstrap_listener.cc)

 private:
  BootstrapListener(Executor& ex, NetAddress bound, std::shared_ptr<State> state);

  Executor& ex_;
  NetAddress bound_;
  std::shared_ptr<State> state_;  // shared with the fibers, which may outlive this
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The bare UCX echo the RPC benchmarks are measured against, on a thread of
// its own with no BenchFS runtime: a UCP worker that busy-progresses and
// answers each kAmRawEcho active message (rpc/raw_ping.h) from inside its
// AM callback, echoing the received bytes in place (no copy of its own). The client side is the network floor's RawPingClient
// (floor/network_floor.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "runtime/status.h"

namespace benchfs {

class RawUcxPingServer {
 public:
  // tls as in UcxConfig ("tcp", "shm", ...). Listens on 127.0.0.1:<any>.
  // With `untouched` the reply is sent from a buffer of the server's own and
  // the received bytes are never read, as ucx_perftest's ucp_am_lat does.
  explicit RawUcxPingServer(const std::string& tls, bool untouched = false);
  ~RawUcxPingServer();
  const Status& status() const { return status_; }
  uint16_t port() const { return port_; }
  const std::vector<std::byte>& address() const { return address_; }

 private:
  void Main();
  std::string tls_;
  bool untouched_ = false;
  Status status_;
  uint16_t port_ = 0;
  std::vector<std::byte> address_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace benchfs

// A bare UCP active-message ping-pong with no BenchFS runtime: the floor the
// RPC layer is measured against. The server runs on its own thread and
// busy-progresses its worker; the client busy-progresses on the caller's
// thread. Payloads are echoed; replies are sent after progress returns (not
// from inside the AM callback), as a careful UCX program would.
#pragma once

#include <ucp/api/ucp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/status.h"

namespace benchfs {

inline constexpr unsigned kAmRawPing = 0x5250;
inline constexpr unsigned kAmRawPong = 0x5251;

// One UCP context + worker owned by a raw peer.
struct RawUcxWorker {
  ucp_context_h context = nullptr;
  ucp_worker_h worker = nullptr;
  ~RawUcxWorker();
  Status Init(const std::string& tls);
};

class RawUcxPingServer {
 public:
  // tls as in UcxConfig ("tcp", "shm", ...). Listens on 127.0.0.1:<any>.
  explicit RawUcxPingServer(const std::string& tls);
  ~RawUcxPingServer();
  const Status& status() const { return status_; }
  uint16_t port() const { return port_; }
  const std::vector<std::byte>& address() const { return address_; }

 private:
  void Main();
  std::string tls_;
  Status status_;
  uint16_t port_ = 0;
  std::vector<std::byte> address_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class RawUcxPingClient {
 public:
  ~RawUcxPingClient();
  // Connects through the listener (port != 0) or to a worker address.
  Status Connect(const std::string& tls, uint16_t port, const std::vector<std::byte>& address);
  // One round trip of `len` payload bytes, busy-progressing until the echo.
  Status PingPong(size_t len);

 private:
  RawUcxWorker w_;
  ucp_ep_h ep_ = nullptr;
  std::vector<std::byte> buf_;
  std::atomic<bool> got_{false};
  size_t got_len_ = 0;
};

}  // namespace benchfs

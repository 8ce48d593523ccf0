// RpcServer: serves requests arriving as UCP active messages on one executor.
//
// Clients connect through a listener on host:port or through the worker
// address published in a registry directory. Each accepted request runs its
// handler in a fiber; the reply goes back on the request's connection.
// Admission control keeps at most `max_inflight` requests in flight (and at
// most `per_conn_limit()` per connection): beyond that the server answers BUSY
// at once, so memory is bounded by configuration, not by load. Malformed
// messages are counted and answered with an error where a reply is possible.
// When a client disappears, its requests still in flight finish, their replies
// are dropped, and the connection's state is freed. With a token configured,
// a connection is served only after a valid HELLO (rpc/hello.h); HELLO is
// answered by the server itself, without a fiber.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rpc/message.h"
#include "rpc/net_address.h"
#include "rpc/rpc_config.h"
#include "rpc/wire.h"
#include "runtime/ucx_reactor.h"

namespace benchfs {

struct ServerStats {
  uint64_t received = 0;        // messages that reached the request handler
  uint64_t completed = 0;       // requests whose handler finished
  uint64_t inflight = 0;        // accepted and not yet finished
  uint64_t rejected_busy = 0;   // answered BUSY by admission control
  uint64_t malformed = 0;       // failed validation or unknown opcode
  uint64_t denied = 0;          // PERMISSION_DENIED: no valid HELLO first (token set)
  uint64_t replies_dropped = 0; // finished after their client was gone
  uint64_t connections = 0;     // open connections
  uint64_t connections_total = 0;
  std::array<uint64_t, kOpcodeSlots> per_opcode{};  // accepted requests by opcode
  std::array<uint64_t, kOpcodeSlots> completed_per_opcode{};
};

class RpcServer {
 public:
  // Runs in a fiber of the server's executor.
  using Handler = std::function<Response(Request&)>;
  // Called while a request arrives (not in a fiber: must not block). Returns
  // the buffer its payload is received into - at least `len` bytes - or an
  // empty buffer to answer BUSY. Default: a heap buffer.
  using BufferProvider = std::function<IoBuffer(Opcode op, size_t len)>;
  // Adds entries to the STATUS reply (name, value).
  using StatusExtender = std::function<void(std::vector<std::pair<std::string, uint64_t>>&)>;

  static Result<std::unique_ptr<RpcServer>> Create(UcxReactor& ucx, const RpcServerConfig& config);
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  void Handle(Opcode op, Handler handler);
  void SetBufferProvider(BufferProvider provider) { provider_ = std::move(provider); }
  void AddStatusExtender(StatusExtender ext) { status_extenders_.push_back(std::move(ext)); }

  // Listens on host:port (port 0 picks a free one); returns the bound address.
  Result<NetAddress> Listen(const std::string& host, uint16_t port);
  void StopListening();
  // Refuses new requests with UNAVAILABLE ("shutting down") from now on;
  // requests already accepted finish normally.
  void BeginDrain() { draining_ = true; }
  // Publishes this worker's address as `name` in registry `dir`.
  Status Publish(const std::string& dir, const std::string& name);

  const ServerStats& stats() const { return stats_; }
  const RpcServerConfig& config() const { return config_; }
  // STATUS payload: the counters as (name, value) pairs.
  std::vector<std::pair<std::string, uint64_t>> StatusCounters() const;

 private:
  struct Connection;
  struct InFlight;

  RpcServer(UcxReactor& ucx, const RpcServerConfig& config);
  Status Init();
  static ucs_status_t OnRequestAm(void* arg, const void* header, size_t header_length, void* data,
                                  size_t length, const ucp_am_recv_param_t* param);
  ucs_status_t OnRequest(std::span<const std::byte> header, void* data, size_t length,
                         const ucp_am_recv_param_t* param);
  static void OnConnRequest(ucp_conn_request_h request, void* arg);
  static void OnEpError(void* arg, ucp_ep_h ep, ucs_status_t status);
  Connection* ConnectionFor(ucp_ep_h ep);
  void CloseConnection(Connection* c);
  void MaybeFreeConnection(Connection* c);
  // Queues a header-only reply (BUSY or an error) sent right after progress.
  void ReplyLater(ucp_ep_h ep, const WireHeader& request, Status status);
  // HELLO and the token check: false when the request was answered here.
  bool Admit(Connection* c, const WireHeader& h, std::span<const std::byte> op_header, ucp_ep_h reply_ep);
  void Serve(InFlight* f);
  void SendReply(InFlight* f, Response& response);
  Response Builtin(Request& req);
  InFlight* NewInFlight();
  void FreeInFlight(InFlight* f);

  UcxReactor& ucx_;
  Executor& ex_;
  RpcServerConfig config_;
  ServerStats stats_;
  std::array<Handler, kOpcodeSlots> handlers_;
  BufferProvider provider_;
  std::vector<StatusExtender> status_extenders_;
  ucp_listener_h listener_ = nullptr;
  bool draining_ = false;
  std::unordered_map<ucp_ep_h, std::unique_ptr<Connection>> connections_;
  uint64_t next_connection_id_ = 1;
  std::vector<std::unique_ptr<InFlight>> inflight_pool_;
  std::vector<InFlight*> free_inflight_;
};

// Encodes / decodes the STATUS payload: u16 count, then (string name, u64 value).
std::vector<std::byte> EncodeCounters(const std::vector<std::pair<std::string, uint64_t>>& kv);
Result<std::vector<std::pair<std::string, uint64_t>>> DecodeCounters(std::span<const std::byte> in);

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// RpcServer: serves requests arriving as UCP active messages on one executor.
//
// Clients learn the server's UCX worker address from its bootstrap listener
// on host:port (rpc/bootstrap_listener.h: no untrusted byte reaches UCX) or
// from a registry directory, then connect to that address. Each accepted request runs its
// handler in a fiber; the reply goes back on the request's connection.
// A handler registered as HandlerMode::kInline promises never to block (no
// I/O wait, no fiber switch): its requests run inside the UCX active-message
// callback and are answered from there, with no fiber, no copy of an eager
// payload (the request's payload is UCX's receive buffer, valid only during
// the call) and no copy of a reply payload UCX sends at once. Validation,
// authentication and admission control (max_inflight, the per-connection
// share) apply to inline requests exactly as to the others; a rendezvous
// payload still goes to a fiber, which waits for it.
// Admission control keeps at most `max_inflight` requests in flight (and at
// most `per_conn_limit()` per connection): beyond that the server answers BUSY
// at once, so memory is bounded by configuration, not by load. Malformed
// messages are counted and answered with an error where a reply is possible.
// Every connection starts with a HELLO (rpc/hello.h) that carries the
// client's worker address (and the token, when one is configured): the
// server replies through an endpoint of its own to that address, never
// through UCX's internal one, whose lifetime UCX alone decides. HELLO is
// answered by the server itself, without a fiber. When a client disappears,
// its requests still in flight finish, their replies are dropped, and the
// connection's state is freed.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rpc/bootstrap_listener.h"
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
  uint64_t denied = 0;          // PERMISSION_DENIED: no valid HELLO first
  uint64_t replies_dropped = 0; // finished after their client was gone
  uint64_t connections = 0;     // open connections
  uint64_t connections_total = 0;
  std::array<uint64_t, kOpcodeSlots> per_opcode{};  // accepted requests by opcode
  std::array<uint64_t, kOpcodeSlots> completed_per_opcode{};
};

// Where a handler runs (see above).
enum class HandlerMode : unsigned char {
  kFiber,   // in a fiber of its own: may block
  kInline,  // inside the UCX callback: must not block or switch fibers
};

class RpcServer {
 public:
  // Runs in a fiber of the server's executor, or inline (HandlerMode).
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

  // Installs the handler of `op`. kInline takes effect only when the
  // configuration allows inline handlers (RpcServerConfig::inline_handlers).
  void Handle(Opcode op, Handler handler, HandlerMode mode = HandlerMode::kFiber);
  HandlerMode mode(Opcode op) const {
    return inline_[static_cast<size_t>(op)] ? HandlerMode::kInline : HandlerMode::kFiber;
  }
  void SetBufferProvider(BufferProvider provider) { provider_ = std::move(provider); }
  void AddStatusExtender(StatusExtender ext) { status_extenders_.push_back(std::move(ext)); }

  // Listens for bootstrap requests on host:port (port 0 picks a free one);
  // returns the bound address.
  Result<NetAddress> Listen(const std::string& host, uint16_t port);
  void StopListening();
  // Refuses new requests with UNAVAILABLE ("shutting down") from now on;
  // requests already accepted finish normally.
  void BeginDrain() { draining_ = true; }
  // Publishes this worker's address as `name` in registry `dir`.
  Status Publish(const std::string& dir, const std::string& name);

  const ServerStats& stats() const { return stats_; }
  const RpcServerConfig& config() const { return config_; }
  // The bootstrap listener's counters (null before Listen()).
  const BootstrapStats* bootstrap_stats() const { return bootstrap_ ? &bootstrap_->stats() : nullptr; }
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
  static void OnEpError(void* arg, ucp_ep_h ep, ucs_status_t status);
  Connection* ConnectionFor(ucp_ep_h incoming);
  void CloseEndpoint(Connection* c);
  // Closes our endpoint and forgets UCX's incoming one (idempotent).
  void Retire(Connection* c);
  void CloseConnection(Connection* c);
  void MaybeFreeConnection(Connection* c);
  // Queues a header-only reply (BUSY, an error, HELLO's answer) sent right
  // after progress: on connection `conn`'s endpoint if it is still open then
  // (conn != 0), else on `ep` - UCX's incoming endpoint, for a request that
  // came before any HELLO.
  void ReplyLater(ucp_ep_h ep, uint64_t conn, const WireHeader& request, Status status);
  void ReplyLater(Connection* c, const WireHeader& request, Status status);
  // HELLO: the token check and the endpoint back to the client.
  void Admit(Connection* c, const WireHeader& h, std::span<const std::byte> op_header, ucp_ep_h incoming);
  void Serve(InFlight* f);
  void SendReply(InFlight* f, Response& response);
  // Runs an inline handler inside the AM callback and replies from there;
  // returns what the callback returns (UCS_INPROGRESS keeps `data`).
  ucs_status_t ServeInline(Connection* c, const WireHeader& h, std::span<const std::byte> header, void* data,
                           size_t length, const ucp_am_recv_param_t* param);
  // The reply's AM header (fixed header, then the operation header or the
  // error message) into op->header; returns the payload length to send and
  // moves an owned payload into op->buffer.
  size_t EncodeReply(const WireHeader& request, Response& response, RequestTiming* timing, UcxOp* op);
  Response Builtin(Request& req);
  InFlight* NewInFlight();
  void FreeInFlight(InFlight* f);

  UcxReactor& ucx_;
  Executor& ex_;
  RpcServerConfig config_;
  ServerStats stats_;
  std::array<Handler, kOpcodeSlots> handlers_;
  std::array<bool, kOpcodeSlots> inline_{};
  // Lends UCX's receive buffer to an inline handler: nothing to give back.
  struct Borrowed final : BufferOwner {
    void Return(int) override {}
  } borrowed_;
  Request inline_request_;  // reused by inline requests (no allocation per call)
  BufferProvider provider_;
  std::vector<StatusExtender> status_extenders_;
  std::unique_ptr<BootstrapListener> bootstrap_;
  bool draining_ = false;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;  // by id
  std::unordered_map<ucp_ep_h, Connection*> by_incoming_;  // UCX's endpoint requests arrive on
  uint64_t next_connection_id_ = 1;
  std::vector<std::unique_ptr<InFlight>> inflight_pool_;
  std::vector<InFlight*> free_inflight_;
};

// Encodes / decodes the STATUS payload: u16 count, then (string name, u64 value).
std::vector<std::byte> EncodeCounters(const std::vector<std::pair<std::string, uint64_t>>& kv);
Result<std::vector<std::pair<std::string, uint64_t>>> DecodeCounters(std::span<const std::byte> in);

}  // namespace benchfs

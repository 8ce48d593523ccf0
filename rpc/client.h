// SPDX-License-Identifier: BSD-3-Clause
// RpcClient: calls into RpcServers from fibers of one executor.
//
// A client owns the worker-wide reply handler and the table of calls waiting
// for replies, matched by correlation id, so replies never reach the wrong
// caller however many calls of one opcode are in flight. It opens one
// Connection per server (host:port through the server's listener, or a worker
// address from a registry directory). Every call has a deadline; a failure -
// timeout, lost connection, BUSY after all retries, a malformed reply -
// reaches the caller as a Status with a message, never a hang. A server that
// answers BUSY shrinks the connection's CallWindow, so excess calls wait at
// the client, in order, instead of retrying against a full server. A reply payload
// is received straight into the buffer the caller supplies (rendezvous
// included), so nothing is copied twice.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rpc/call_window.h"
#include "rpc/net_address.h"
#include "rpc/rpc_config.h"
#include "rpc/trace.h"
#include "rpc/wire.h"
#include "runtime/cancellation.h"
#include "runtime/ucx_reactor.h"

namespace benchfs {

struct ClientStats {
  uint64_t calls = 0;
  uint64_t failed = 0;
  uint64_t busy_retries = 0;
  uint64_t window_waits = 0;       // calls that waited for a slot of their connection's window
  uint64_t timeouts = 0;
  uint64_t late_replies = 0;       // replies that arrived after their call gave up
  uint64_t malformed_replies = 0;
};

class RpcClient;

class Connection {
 public:
  const std::string& peer() const { return peer_; }
  bool alive() const { return !dead_; }
  // Why the connection died ("" while alive).
  const std::string& error() const { return error_; }
  // The transports UCX chose for this connection, e.g. "tcp/lo" or
  // "posix/memory sysv/memory" (from the endpoint's lane table).
  std::string Transports() const;
  // The endpoint's full configuration as UCX prints it.
  std::string Describe() const;
  // Whether UCX reports a dead peer on this connection. Without it (shared
  // memory in UCX 1.13) a dead server surfaces as call deadlines.
  bool peer_failure_detection() const { return peer_failure_detection_; }
  // Calls this connection may have in flight, learnt from BUSY answers.
  const CallWindow& window() const { return window_; }
  // The server's worker address when it was learnt through Connect().
  const std::vector<std::byte>& worker_address() const { return worker_address_; }

 private:
  friend class RpcClient;
  CallWindow window_;
  ucp_ep_h ep_ = nullptr;
  std::string peer_;
  bool dead_ = false;
  bool peer_failure_detection_ = true;
  std::string error_;
  std::vector<std::byte> worker_address_;
};

struct CallArgs {
  Opcode opcode = Opcode::kPing;
  std::span<const std::byte> header;  // operation header
  // Request payload: the first payload_len bytes of *payload. The buffer is
  // handed back when the call returns (kept by the transport if the call gave
  // up while UCX still reads it).
  IoBuffer* payload = nullptr;
  size_t payload_len = 0;
  // Where a reply payload goes; if null or too small for it, a buffer is
  // allocated and returned in Reply::payload.
  IoBuffer* reply_buffer = nullptr;
  TimePoint deadline = kNoDeadline;  // kNoDeadline: now + call_timeout
  Cancellation* cancel = nullptr;
  // Ask the server for its timestamps (rpc/trace.h); they come back in
  // Reply::trace.
  bool trace = false;
};

struct Reply {
  std::vector<std::byte> header;
  size_t payload_len = 0;
  IoBuffer payload;  // only when the reply did not go to CallArgs::reply_buffer
  std::optional<ServerTrace> trace;  // when CallArgs::trace asked for it
};

class RpcClient {
 public:
  static Result<std::unique_ptr<RpcClient>> Create(UcxReactor& ucx, const RpcClientConfig& config);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // From a fiber: asks the server's bootstrap listener on host:port for its
  // worker address, connects to it and proves the path before returning with
  // a HELLO (rpc/hello.h), which carries the token when one is configured.
  Result<Connection*> Connect(const std::string& host, uint16_t port);
  // From a fiber: waits for registry entry `name` in `dir`, then connects to
  // that worker address.
  Result<Connection*> ConnectRegistry(const std::string& dir, const std::string& name);
  // From a fiber: connects to a worker address obtained some other way (e.g.
  // exchanged over MPI); `peer` names it in messages.
  Result<Connection*> ConnectAddress(std::span<const std::byte> address, const std::string& peer);
  // From a fiber: closes the connection (pending calls on it fail).
  void Disconnect(Connection* c);

  // From a fiber: one call, retried on BUSY with backoff until retries or the
  // deadline run out.
  Result<Reply> Call(Connection* c, CallArgs& args);
  // PING with an optional payload echoed back into *reply_buffer.
  Status Ping(Connection* c, IoBuffer* payload = nullptr, size_t len = 0,
              IoBuffer* reply_buffer = nullptr, TimePoint deadline = kNoDeadline);
  // HELLO with `token` and this client's worker address (rpc/hello.h):
  // PERMISSION_DENIED if the server does not accept it.
  Status Hello(Connection* c, const std::string& token, TimePoint deadline = kNoDeadline);

  const ClientStats& stats() const { return stats_; }
  const RpcClientConfig& config() const { return config_; }
  size_t pending_calls() const { return pending_count_; }

 private:
  struct PendingCall;

  RpcClient(UcxReactor& ucx, const RpcClientConfig& config);
  Status Init();
  Result<Connection*> Open(std::span<const std::byte> address, const std::string& peer,
                           bool peer_failure_detection);
  Result<Reply> CallOnce(Connection* c, CallArgs& args, TimePoint deadline);
  static ucs_status_t OnReplyAm(void* arg, const void* header, size_t header_length, void* data,
                                size_t length, const ucp_am_recv_param_t* param);
  void OnReply(std::span<const std::byte> header, void* data, size_t length,
               const ucp_am_recv_param_t* param);
  static void OnEpError(void* arg, ucp_ep_h ep, ucs_status_t status);
  void FailPending(Connection* c, const Status& why);
  uint64_t AddPending(PendingCall* pc);  // returns the call's correlation id
  PendingCall* FindPending(uint64_t id) const;
  void RemovePending(uint64_t id);
  void Finish(PendingCall* pc);

  UcxReactor& ucx_;
  Executor& ex_;
  RpcClientConfig config_;
  ClientStats stats_;
  // Calls waiting for replies, indexed by the low half of the correlation id.
  std::vector<PendingCall*> pending_;
  std::vector<uint32_t> free_pending_;
  size_t pending_count_ = 0;
  uint32_t next_seq_ = 0;
  uint64_t attempts_ = 0;  // call attempts sent, numbered for CallWindow
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::byte> own_address_;  // this worker's address, sent in HELLO
};

}  // namespace benchfs

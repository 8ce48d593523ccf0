// SPDX-License-Identifier: BSD-3-Clause
// RpcServer implementation: connection set-up, the request AM handler with
// validation and admission control, per-request fibers and replies.
#include "rpc/server.h"

#include <cstring>

#include "rpc/bootstrap_listener.h"
#include "rpc/codec.h"
#include "rpc/hello.h"
#include "rpc/registry.h"
#include "runtime/executor.h"

namespace benchfs {

struct RpcServer::Connection {
  RpcServer* server = nullptr;
  std::vector<std::byte> client_address;  // from its HELLO
  ucp_ep_h incoming = nullptr;  // UCX's endpoint the client's requests arrive on (routing key only)
  ucp_ep_h ep = nullptr;        // ours, to the client's worker address from its HELLO: replies go here
  uint64_t id = 0;
  bool dead = false;
  bool authenticated = false;  // sent a HELLO (with the right token, when one is set)
  bool refused = false;        // sent a HELLO with a wrong token
  uint32_t inflight = 0;
};

struct RpcServer::InFlight {
  Connection* conn = nullptr;
  bool traced = false;
  RequestTiming timing;
  WireHeader header;
  Request request;
  UcxReceive payload;  // rendezvous receive of the payload, if any
};

namespace {

constexpr size_t kMaxErrorMessage = 1024;

}  // namespace

std::vector<std::byte> EncodeCounters(const std::vector<std::pair<std::string, uint64_t>>& kv) {
  std::vector<std::byte> out;
  WireWriter w(out);
  w.Put<uint16_t>(static_cast<uint16_t>(kv.size()));
  for (const auto& [name, value] : kv) {
    w.PutString(name);
    w.Put<uint64_t>(value);
  }
  return out;
}

Result<std::vector<std::pair<std::string, uint64_t>>> DecodeCounters(std::span<const std::byte> in) {
  WireReader r(in);
  uint16_t n = 0;
  std::vector<std::pair<std::string, uint64_t>> kv;
  r.Get(&n);
  for (uint16_t i = 0; i < n && r.ok(); ++i) {
    std::string name;
    uint64_t value = 0;
    if (r.GetString(&name) && r.Get(&value)) kv.emplace_back(std::move(name), value);
  }
  if (!r.ok()) return Status::ProtocolError("STATUS payload is truncated");
  return kv;
}

RpcServer::RpcServer(UcxReactor& ucx, const RpcServerConfig& config)
    : ucx_(ucx), ex_(ucx.executor()), config_(config) {}

Result<std::unique_ptr<RpcServer>> RpcServer::Create(UcxReactor& ucx, const RpcServerConfig& config) {
  Status s = config.Validate();
  if (!s.ok()) return s;
  std::unique_ptr<RpcServer> srv(new RpcServer(ucx, config));
  s = srv->Init();
  if (!s.ok()) return s;
  return srv;
}

Status RpcServer::Init() {
  Status st = ucx_.SetAmHandler(kAmRequest, &RpcServer::OnRequestAm, this);
  if (!st.ok()) return st;
  Handle(
      Opcode::kPing,
      [](Request& req) {
        Response r;  // echo the payload back, without a copy
        r.payload = std::move(req.payload);
        r.payload_len = req.payload_len;
        return r;
      },
      HandlerMode::kInline);
  Handle(Opcode::kStatus, [this](Request&) {
    std::vector<std::byte> bytes = EncodeCounters(StatusCounters());
    Response r;
    r.payload = IoBuffer::Allocate(bytes.size());
    std::memcpy(r.payload.data(), bytes.data(), bytes.size());
    r.payload_len = bytes.size();
    return r;
  });
  return Status();
}

RpcServer::~RpcServer() {
  StopListening();
  ucx_.SetAmHandler(kAmRequest, nullptr, nullptr).IgnoreError();  // teardown: nothing left to tell
  for (auto& [id, c] : connections_) CloseEndpoint(c.get());
}

void RpcServer::Handle(Opcode op, Handler handler, HandlerMode mode) {
  handlers_[static_cast<size_t>(op)] = std::move(handler);
  inline_[static_cast<size_t>(op)] = mode == HandlerMode::kInline && config_.inline_handlers;
}

std::vector<std::pair<std::string, uint64_t>> RpcServer::StatusCounters() const {
  std::vector<std::pair<std::string, uint64_t>> kv = {
      {"received", stats_.received},
      {"completed", stats_.completed},
      {"inflight", stats_.inflight},
      {"rejected_busy", stats_.rejected_busy},
      {"malformed", stats_.malformed},
      // Refused for want of a valid token: at HELLO or already at the bootstrap listener.
      {"denied", stats_.denied + (bootstrap_ ? bootstrap_->stats().denied : 0)},
      {"replies_dropped", stats_.replies_dropped},
      {"connections", stats_.connections},
      {"connections_total", stats_.connections_total},
  };
  if (const BootstrapStats* b = bootstrap_stats()) {
    kv.emplace_back("bootstrap_served", b->served);
    kv.emplace_back("bootstrap_denied", b->denied);
    kv.emplace_back("bootstrap_rejected", b->rejected);
    kv.emplace_back("bootstrap_shed", b->shed);
  }
  for (size_t i = 0; i < kOpcodeSlots; ++i) {
    if (stats_.per_opcode[i] != 0) {
      kv.emplace_back("op." + OpcodeName(static_cast<uint8_t>(i)), stats_.per_opcode[i]);
    }
  }
  for (const auto& ext : status_extenders_) ext(kv);
  return kv;
}

// ---- Connections ----

Result<NetAddress> RpcServer::Listen(const std::string& host, uint16_t port) {
  if (bootstrap_ != nullptr) {
    return Status::InvalidArgument("the server is already listening");
  }
  auto addr = ResolveAddress(host, port);
  if (!addr.ok()) return addr.status();
  auto worker = ucx_.WorkerAddress();
  if (!worker.ok()) return worker.status();
  BootstrapOptions o;
  o.token = config_.token;
  auto l = BootstrapListener::Bind(ex_, *addr, std::move(worker.value()), std::move(o));
  if (!l.ok()) return l.status();
  bootstrap_ = std::move(l.value());
  bootstrap_->Start();
  return bootstrap_->address();
}

void RpcServer::StopListening() {
  if (bootstrap_ != nullptr) bootstrap_->Stop();
}

Status RpcServer::Publish(const std::string& dir, const std::string& name) {
  auto addr = ucx_.WorkerAddress();
  if (!addr.ok()) return addr.status();
  return PublishAddress(dir, name, *addr);
}

void RpcServer::OnEpError(void* arg, ucp_ep_h, ucs_status_t) {
  auto* c = static_cast<Connection*>(arg);
  if (c->dead) return;
  c->dead = true;
  RpcServer* self = c->server;
  self->ucx_.Defer([self, id = c->id] {
    auto it = self->connections_.find(id);
    if (it != self->connections_.end()) self->CloseConnection(it->second.get());
  });
}

RpcServer::Connection* RpcServer::ConnectionFor(ucp_ep_h incoming) {
  auto it = by_incoming_.find(incoming);
  if (it != by_incoming_.end()) return it->second;
  auto c = std::make_unique<Connection>();
  c->server = this;
  c->incoming = incoming;
  c->id = next_connection_id_++;
  Connection* raw = c.get();
  connections_[raw->id] = std::move(c);
  by_incoming_[incoming] = raw;
  ++stats_.connections;
  ++stats_.connections_total;
  return raw;
}

void RpcServer::CloseEndpoint(Connection* c) {
  if (c->ep == nullptr) return;
  ucx_.CloseEndpoint(c->ep);
  c->ep = nullptr;  // closed: never touch it again
}

void RpcServer::CloseConnection(Connection* c) {
  c->dead = true;
  Retire(c);
  MaybeFreeConnection(c);
}

void RpcServer::Retire(Connection* c) {
  CloseEndpoint(c);
  // A later client whose requests arrive on the same UCX endpoint starts afresh.
  auto it = by_incoming_.find(c->incoming);
  if (it != by_incoming_.end() && it->second == c) by_incoming_.erase(it);
}

void RpcServer::MaybeFreeConnection(Connection* c) {
  if (!c->dead || c->inflight != 0) return;
  Retire(c);
  --stats_.connections;
  connections_.erase(c->id);
}

// ---- Requests ----

ucs_status_t RpcServer::OnRequestAm(void* arg, const void* header, size_t header_length,
                                    void* data, size_t length, const ucp_am_recv_param_t* param) {
  auto* self = static_cast<RpcServer*>(arg);
  return self->OnRequest({static_cast<const std::byte*>(header), header_length}, data, length, param);
}

void RpcServer::ReplyLater(Connection* c, const WireHeader& request, Status status) {
  ReplyLater(nullptr, c->id, request, std::move(status));
}

void RpcServer::ReplyLater(ucp_ep_h ep, uint64_t conn, const WireHeader& request, Status status) {
  UcxOp* op = ucx_.NewOp();
  std::string msg = status.message().substr(0, kMaxErrorMessage);
  WireHeader h;
  h.opcode = request.opcode;
  h.flags = kWireFlagReply;
  h.correlation_id = request.correlation_id;
  h.status = status.code();
  h.sys_errno = WireErrno(status);
  h.header_len = static_cast<uint32_t>(msg.size());
  op->header.resize(kWireHeaderSize + msg.size());
  EncodeHeader(h, op->header.data());
  std::memcpy(op->header.data() + kWireHeaderSize, msg.data(), msg.size());
  ucx_.Defer([this, ep, conn, op] {
    // A connection may have been closed since: its endpoint is gone.
    ucp_ep_h to = ep;
    if (conn != 0) {
      auto it = connections_.find(conn);
      to = it != connections_.end() && !it->second->dead ? it->second->ep : nullptr;
    }
    if (to == nullptr) {
      ucx_.ReleaseOp(op);
      return;
    }
    ucx_.PostAm(to, kAmReply, op, 0);
  });
}

ucs_status_t RpcServer::OnRequest(std::span<const std::byte> header, void* data, size_t length,
                                  const ucp_am_recv_param_t* param) {
  ++stats_.received;
  ucp_ep_h reply_ep = (param->recv_attr & UCP_AM_RECV_ATTR_FIELD_REPLY_EP) ? param->reply_ep : nullptr;
  DecodedHeader d = DecodeHeader(header, length, config_.limits);
  if (d.status.ok() && d.header.is_reply()) {
    d.status = Status::ProtocolError("a reply was sent to the request handler");
  }
  const uint8_t raw_op = d.header.opcode;
  const bool hello = raw_op == static_cast<uint8_t>(Opcode::kHello);
  if (d.status.ok() && !hello && (raw_op >= kOpcodeSlots || !handlers_[raw_op])) {
    d.status = Status::ProtocolError("unknown " + OpcodeName(raw_op));
  }
  if (!d.status.ok()) {
    ++stats_.malformed;
    if (d.identified && reply_ep != nullptr) ReplyLater(reply_ep, 0, d.header, d.status);
    return UCS_OK;
  }
  if (reply_ep == nullptr) {  // requests must be sent with UCP_AM_SEND_FLAG_REPLY
    ++stats_.malformed;
    return UCS_OK;
  }
  Connection* c = ConnectionFor(reply_ep);
  if (hello) {
    Admit(c, d.header, header.subspan(kWireHeaderSize), reply_ep);
    return UCS_OK;
  }
  if (!c->authenticated) {
    ++stats_.denied;
    ReplyLater(reply_ep, 0, d.header,
               Status::PermissionDenied(c->refused ? "this connection presented a wrong token and is refused; reconnect with the right one"
                      : !config_.token.empty()
                          ? "this server requires a token: the first request of a connection must be a HELLO "
                            "with the shared token (benchfs --token-file FILE)"
                          : "the first request of a connection must be a HELLO carrying the client's worker "
                            "address (rpc/hello.h)"));
    return UCS_OK;
  }
  if (draining_) {
    ReplyLater(c, d.header, Status::Unavailable("server is shutting down"));
    return UCS_OK;
  }
  if (c->dead) {
    ++stats_.replies_dropped;
    return UCS_OK;
  }
  if (stats_.inflight >= config_.max_inflight || c->inflight >= config_.per_conn_limit()) {
    ++stats_.rejected_busy;
    ReplyLater(c, d.header,
               Status::Busy("server busy: " + std::to_string(stats_.inflight) +
                                             " requests in flight (max_inflight " +
                                             std::to_string(config_.max_inflight) + ")"));
    return UCS_OK;
  }
  if (inline_[raw_op] && !(param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV)) {
    return ServeInline(c, d.header, header, data, length, param);
  }
  IoBuffer buf;
  if (length > 0) {
    buf = provider_ ? provider_(static_cast<Opcode>(raw_op), length)
                    : IoBuffer::AllocateUninitialized(length, 64);
    if (buf.size() < length) {
      ++stats_.rejected_busy;
      ReplyLater(c, d.header, Status::Busy("server busy: no receive buffer free"));
      return UCS_OK;
    }
  }
  InFlight* f = NewInFlight();
  f->conn = c;
  f->header = d.header;
  f->traced = (d.header.flags & kWireFlagTrace) != 0;
  if (f->traced) {
    f->timing = RequestTiming{};
    f->timing.received = Now();
  }
  f->request.timing = f->traced ? &f->timing : nullptr;
  f->request.opcode = static_cast<Opcode>(raw_op);
  f->request.correlation_id = d.header.correlation_id;
  f->request.connection_id = c->id;
  f->request.header.assign(header.begin() + kWireHeaderSize, header.end());
  f->request.payload_len = length;
  ++stats_.inflight;
  ++stats_.per_opcode[raw_op];
  ++c->inflight;
  // A rendezvous payload is pulled by UCX straight into the provided buffer.
  f->request.payload = std::move(buf);
  f->payload = ucx_.ReceiveAmData(data, length, param, f->request.payload);
  ex_.Spawn([this, f] { Serve(f); });
  return UCS_OK;
}

void RpcServer::Admit(Connection* c, const WireHeader& h, std::span<const std::byte> op_header,
                      ucp_ep_h incoming) {
  ++stats_.per_opcode[h.opcode];
  ++stats_.completed;
  ++stats_.completed_per_opcode[h.opcode];
  auto hello = DecodeHello(op_header);
  if (!hello.ok()) {
    ++stats_.malformed;
    ReplyLater(incoming, 0, h, hello.status());
    return;
  }
  if (!c->client_address.empty() && c->client_address != hello->address) {
    // Another client: UCX reuses the endpoint of one that went away.
    CloseConnection(c);
    c = ConnectionFor(incoming);
  }
  c->client_address = hello->address;
  if (!config_.token.empty() && (c->refused || !TokensEqual(hello->token, config_.token))) {
    const bool first = !c->refused;
    c->refused = true;
    c->authenticated = false;
    ++stats_.denied;
    Status denied(StatusCode::kPermissionDenied,
                  first ? "wrong token in HELLO; this connection is refused (check --token-file)"
                        : "this connection presented a wrong token and is refused; reconnect with the right one");
    if (c->ep != nullptr) {
      ReplyLater(c, h, std::move(denied));
    } else {
      ReplyLater(incoming, 0, h, std::move(denied));
    }
    return;
  }
  if (c->ep == nullptr) {
    // Shared-memory transports cannot detect a dead peer in UCX 1.13: ask
    // for it only when both sides have other transports.
    auto ep = ucx_.CreateEndpoint(c->client_address, hello->peer_failure_detection && !ucx_.config().SharedMemoryOnly(),
                                  &RpcServer::OnEpError, c, "connecting back to the client's worker address");
    if (!ep.ok()) {
      ReplyLater(incoming, 0, h, ep.status());
      return;
    }
    c->ep = *ep;
  }
  c->authenticated = true;
  ReplyLater(c, h, Status());
}

RpcServer::InFlight* RpcServer::NewInFlight() {
  if (free_inflight_.empty()) {
    inflight_pool_.push_back(std::make_unique<InFlight>());
    return inflight_pool_.back().get();
  }
  InFlight* f = free_inflight_.back();
  free_inflight_.pop_back();
  return f;
}

void RpcServer::FreeInFlight(InFlight* f) {
  f->conn = nullptr;
  f->traced = false;
  f->request.timing = nullptr;
  f->payload = {};
  f->request.header.clear();
  f->request.payload.Reset();
  f->request.payload_len = 0;
  free_inflight_.push_back(f);
}

void RpcServer::Serve(InFlight* f) {
  Response response;
  bool have_payload = true;
  if (f->payload.pending()) {
    Status r = ucx_.AwaitReceive(f->payload, WaitOptions::Within(config_.reply_timeout),
                                 "receiving a request payload", &f->request.payload);
    if (!r.ok()) {
      response = Response::Error(r);
      have_payload = false;
    }
  }
  if (f->traced) f->timing.started = Now();
  if (have_payload) response = handlers_[f->header.opcode](f->request);
  SendReply(f, response);
  Connection* c = f->conn;
  --stats_.inflight;
  ++stats_.completed;
  ++stats_.completed_per_opcode[f->header.opcode];
  --c->inflight;
  FreeInFlight(f);
  MaybeFreeConnection(c);
}

ucs_status_t RpcServer::ServeInline(Connection* c, const WireHeader& h, std::span<const std::byte> header,
                                      void* data, size_t length, const ucp_am_recv_param_t* param) {
  ++stats_.per_opcode[h.opcode];
  const bool traced = (h.flags & kWireFlagTrace) != 0;
  RequestTiming timing;
  if (traced) timing.received = Now();
  Request& req = inline_request_;
  req.timing = traced ? &timing : nullptr;
  req.opcode = static_cast<Opcode>(h.opcode);
  req.correlation_id = h.correlation_id;
  req.connection_id = c->id;
  req.header.assign(header.begin() + kWireHeaderSize, header.end());
  // The handler reads the payload where UCX received it.
  req.payload = length > 0 ? IoBuffer::Lease(static_cast<std::byte*>(data), length, &borrowed_) : IoBuffer();
  req.payload_len = length;
  if (traced) timing.started = Now();
  Response response = handlers_[h.opcode](req);
  req.payload.Reset();
  ++stats_.completed;
  ++stats_.completed_per_opcode[h.opcode];
  UcxOp* op = ucx_.NewOp();
  // A payload that is not UCX's receive buffer is the handler's own: it
  // moves into the op, which keeps it until UCX has sent it.
  const std::byte* in = static_cast<const std::byte*>(data);
  const std::byte* out = response.payload.data();
  const bool lent = out != nullptr && out >= in && out < in + length;
  IoBuffer lent_payload = lent ? std::move(response.payload) : IoBuffer();
  const size_t payload_len = EncodeReply(h, response, traced ? &timing : nullptr, op);
  ucs_status_t error = UCS_OK;
  const ucs_status_t keep = ucx_.SendAmFromCallback(c->ep, kAmReply, op, lent ? out : op->buffer.data(), payload_len,
                                                    AmSendFlags(config_.protocol), param, data, length, &error);
  if (error != UCS_OK) {
    ++stats_.replies_dropped;
    ucx_.Defer([this, id = c->id] {  // the client went away
      auto it = connections_.find(id);
      if (it != connections_.end()) CloseConnection(it->second.get());
    });
  }
  return keep;
}

size_t RpcServer::EncodeReply(const WireHeader& request, Response& response, RequestTiming* timing, UcxOp* op) {
  WireHeader h;
  h.opcode = request.opcode;
  h.flags = kWireFlagReply;
  h.correlation_id = request.correlation_id;
  h.status = response.status.code();
  h.sys_errno = WireErrno(response.status);
  size_t payload_len = 0;
  if (response.status.ok() && timing != nullptr) {
    h.flags |= kWireFlagTrace;
    ServerTrace t;
    t.received_ns = SteadyNs(timing->received);
    t.started_ns = SteadyNs(timing->started);
    t.io_ns = static_cast<uint64_t>(timing->io.count());
    t.log_ns = static_cast<uint64_t>(timing->log.count());
    t.sent_ns = SteadyNs(Now());  // read last: the reply goes to UCX right after
    AppendTrace(t, response.header);
  }
  if (response.status.ok()) {
    h.header_len = static_cast<uint32_t>(response.header.size());
    payload_len = response.payload_len;
    if (!response.payload.empty()) op->buffer = std::move(response.payload);
  } else {
    h.header_len = static_cast<uint32_t>(std::min(response.status.message().size(), kMaxErrorMessage));
  }
  h.payload_len = static_cast<uint32_t>(payload_len);
  op->header.resize(kWireHeaderSize + h.header_len);
  EncodeHeader(h, op->header.data());
  if (response.status.ok()) {
    if (!response.header.empty()) {
      std::memcpy(op->header.data() + kWireHeaderSize, response.header.data(), h.header_len);
    }
  } else {
    std::memcpy(op->header.data() + kWireHeaderSize, response.status.message().data(), h.header_len);
  }
  return payload_len;
}

void RpcServer::SendReply(InFlight* f, Response& response) {
  Connection* c = f->conn;
  if (c->dead) {
    ++stats_.replies_dropped;
    return;
  }
  UcxOp* op = ucx_.NewOp();
  const size_t payload_len = EncodeReply(f->header, response, f->traced ? &f->timing : nullptr, op);
  Status r = ucx_.SendAm(c->ep, kAmReply, op, payload_len, AmSendFlags(config_.protocol),
                         WaitOptions::Within(config_.reply_timeout), "sending a reply");
  if (!r.ok()) {
    ++stats_.replies_dropped;
    CloseConnection(c);  // the client went away
  }
}

}  // namespace benchfs

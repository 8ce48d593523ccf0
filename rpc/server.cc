// RpcServer implementation: connection set-up, the request AM handler with
// validation and admission control, per-request fibers and replies.
#include "rpc/server.h"

#include <cstring>

#include "rpc/codec.h"
#include "rpc/registry.h"
#include "runtime/executor.h"

namespace benchfs {

struct RpcServer::Connection {
  ucp_ep_h ep = nullptr;
  uint64_t id = 0;
  bool owned = false;  // created by us from a listener connection request
  bool dead = false;
  uint32_t inflight = 0;
};

struct RpcServer::InFlight {
  Connection* conn = nullptr;
  ucp_ep_h reply_ep = nullptr;
  WireHeader header;
  Request request;
  UcxOp* recv_op = nullptr;  // rendezvous receive of the payload, if any
  ucs_status_ptr_t recv_request = nullptr;
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
  if (!r.ok()) return Status(StatusCode::kProtocolError, "STATUS payload is truncated");
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
  Handle(Opcode::kPing, [](Request& req) {
    Response r;  // echo the payload back, without a copy
    r.payload = std::move(req.payload);
    r.payload_len = req.payload_len;
    return r;
  });
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
  ucx_.SetAmHandler(kAmRequest, nullptr, nullptr);
  for (auto& [ep, c] : connections_) {
    if (c->owned && !c->dead) {
      UcxOp* op = ucx_.NewOp();
      ucx_.Detach(op, ucx_.CloseEndpoint(ep, op));
    }
  }
}

void RpcServer::Handle(Opcode op, Handler handler) {
  handlers_[static_cast<size_t>(op)] = std::move(handler);
}

std::vector<std::pair<std::string, uint64_t>> RpcServer::StatusCounters() const {
  std::vector<std::pair<std::string, uint64_t>> kv = {
      {"received", stats_.received},
      {"completed", stats_.completed},
      {"inflight", stats_.inflight},
      {"rejected_busy", stats_.rejected_busy},
      {"malformed", stats_.malformed},
      {"replies_dropped", stats_.replies_dropped},
      {"connections", stats_.connections},
      {"connections_total", stats_.connections_total},
  };
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
  if (listener_ != nullptr) {
    return Status(StatusCode::kInvalidArgument, "the server is already listening");
  }
  auto addr = ResolveAddress(host, port);
  if (!addr.ok()) return addr.status();
  ucp_listener_params_t p{};
  p.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR | UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
  p.sockaddr.addr = addr->sockaddr_ptr();
  p.sockaddr.addrlen = addr->length;
  p.conn_handler.cb = &RpcServer::OnConnRequest;
  p.conn_handler.arg = this;
  ucs_status_t st = ucp_listener_create(ucx_.worker(), &p, &listener_);
  if (st != UCS_OK) {
    listener_ = nullptr;
    std::string hint = st == UCS_ERR_BUSY ? " (address already in use)" : "";
    return FromUcs(st, "listening on " + addr->ToString() + hint);
  }
  ucp_listener_attr_t attr{};
  attr.field_mask = UCP_LISTENER_ATTR_FIELD_SOCKADDR;
  if ((st = ucp_listener_query(listener_, &attr)) != UCS_OK) {
    return FromUcs(st, "ucp_listener_query");
  }
  NetAddress bound = *addr;
  bound.storage = attr.sockaddr;
  bound.port = PortOf(attr.sockaddr);
  return bound;
}

void RpcServer::StopListening() {
  if (listener_ != nullptr) {
    ucp_listener_destroy(listener_);
    listener_ = nullptr;
  }
}

Status RpcServer::Publish(const std::string& dir, const std::string& name) {
  auto addr = ucx_.WorkerAddress();
  if (!addr.ok()) return addr.status();
  return PublishAddress(dir, name, *addr);
}

void RpcServer::OnConnRequest(ucp_conn_request_h request, void* arg) {
  auto* self = static_cast<RpcServer*>(arg);
  self->ucx_.Defer([self, request] {
    ucp_ep_params_t p{};
    p.field_mask = UCP_EP_PARAM_FIELD_CONN_REQUEST | UCP_EP_PARAM_FIELD_ERR_HANDLER |
                   UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
    p.conn_request = request;
    p.err_mode = UCP_ERR_HANDLING_MODE_PEER;
    p.err_handler.cb = &RpcServer::OnEpError;
    p.err_handler.arg = self;
    ucp_ep_h ep = nullptr;
    if (ucp_ep_create(self->ucx_.worker(), &p, &ep) != UCS_OK) {
      if (self->listener_ != nullptr) ucp_listener_reject(self->listener_, request);
      return;
    }
    auto c = std::make_unique<Connection>();
    c->ep = ep;
    c->id = self->next_connection_id_++;
    c->owned = true;
    self->connections_[ep] = std::move(c);
    ++self->stats_.connections;
    ++self->stats_.connections_total;
  });
}

void RpcServer::OnEpError(void* arg, ucp_ep_h ep, ucs_status_t) {
  auto* self = static_cast<RpcServer*>(arg);
  auto it = self->connections_.find(ep);
  if (it == self->connections_.end()) return;
  Connection* c = it->second.get();
  c->dead = true;
  self->ucx_.Defer([self, c] { self->CloseConnection(c); });
}

RpcServer::Connection* RpcServer::ConnectionFor(ucp_ep_h ep) {
  auto it = connections_.find(ep);
  if (it != connections_.end()) return it->second.get();
  // A client that connected by worker address: UCX made this endpoint.
  auto c = std::make_unique<Connection>();
  c->ep = ep;
  c->id = next_connection_id_++;
  Connection* raw = c.get();
  connections_[ep] = std::move(c);
  ++stats_.connections;
  ++stats_.connections_total;
  return raw;
}

void RpcServer::CloseConnection(Connection* c) {
  if (c->owned && c->ep != nullptr) {
    UcxOp* op = ucx_.NewOp();
    ucx_.Detach(op, ucx_.CloseEndpoint(c->ep, op));
    c->owned = false;  // closed: never touch the endpoint again
  }
  MaybeFreeConnection(c);
}

void RpcServer::MaybeFreeConnection(Connection* c) {
  if (!c->dead || c->inflight != 0 || c->owned) return;
  --stats_.connections;
  connections_.erase(c->ep);
}

// ---- Requests ----

ucs_status_t RpcServer::OnRequestAm(void* arg, const void* header, size_t header_length,
                                    void* data, size_t length, const ucp_am_recv_param_t* param) {
  auto* self = static_cast<RpcServer*>(arg);
  return self->OnRequest({static_cast<const std::byte*>(header), header_length}, data, length, param);
}

void RpcServer::ReplyLater(ucp_ep_h ep, const WireHeader& request, Status status) {
  UcxOp* op = ucx_.NewOp();
  std::string msg = status.message().substr(0, kMaxErrorMessage);
  WireHeader h;
  h.opcode = request.opcode;
  h.flags = kWireFlagReply;
  h.correlation_id = request.correlation_id;
  h.status = status.code();
  h.header_len = static_cast<uint32_t>(msg.size());
  op->header.resize(kWireHeaderSize + msg.size());
  EncodeHeader(h, op->header.data());
  std::memcpy(op->header.data() + kWireHeaderSize, msg.data(), msg.size());
  ucx_.Defer([this, ep, op] {
    ucp_request_param_t p = ucx_.SendParams(op);
    ucx_.Detach(op, ucp_am_send_nbx(ep, kAmReply, op->header.data(), op->header.size(), nullptr,
                                     0, &p));
  });
}

ucs_status_t RpcServer::OnRequest(std::span<const std::byte> header, void* data, size_t length,
                                  const ucp_am_recv_param_t* param) {
  ++stats_.received;
  ucp_ep_h reply_ep = (param->recv_attr & UCP_AM_RECV_ATTR_FIELD_REPLY_EP) ? param->reply_ep : nullptr;
  DecodedHeader d = DecodeHeader(header, length, config_.limits);
  if (d.status.ok() && d.header.is_reply()) {
    d.status = Status(StatusCode::kProtocolError, "a reply was sent to the request handler");
  }
  const uint8_t raw_op = d.header.opcode;
  if (d.status.ok() && (raw_op >= kOpcodeSlots || !handlers_[raw_op])) {
    d.status = Status(StatusCode::kProtocolError, "unknown " + OpcodeName(raw_op));
  }
  if (!d.status.ok()) {
    ++stats_.malformed;
    if (d.identified && reply_ep != nullptr) ReplyLater(reply_ep, d.header, d.status);
    return UCS_OK;
  }
  if (reply_ep == nullptr) {  // requests must be sent with UCP_AM_SEND_FLAG_REPLY
    ++stats_.malformed;
    return UCS_OK;
  }
  if (draining_) {
    ReplyLater(reply_ep, d.header, Status(StatusCode::kUnavailable, "server is shutting down"));
    return UCS_OK;
  }
  Connection* c = ConnectionFor(reply_ep);
  if (c->dead) {
    ++stats_.replies_dropped;
    return UCS_OK;
  }
  if (stats_.inflight >= config_.max_inflight || c->inflight >= config_.per_conn_limit()) {
    ++stats_.rejected_busy;
    ReplyLater(reply_ep, d.header,
               Status(StatusCode::kBusy, "server busy: " + std::to_string(stats_.inflight) +
                                             " requests in flight (max_inflight " +
                                             std::to_string(config_.max_inflight) + ")"));
    return UCS_OK;
  }
  IoBuffer buf;
  if (length > 0) {
    buf = provider_ ? provider_(static_cast<Opcode>(raw_op), length)
                    : IoBuffer::AllocateUninitialized(length, 64);
    if (buf.size() < length) {
      ++stats_.rejected_busy;
      ReplyLater(reply_ep, d.header, Status(StatusCode::kBusy, "server busy: no receive buffer free"));
      return UCS_OK;
    }
  }
  InFlight* f = NewInFlight();
  f->conn = c;
  f->reply_ep = reply_ep;
  f->header = d.header;
  f->request.opcode = static_cast<Opcode>(raw_op);
  f->request.correlation_id = d.header.correlation_id;
  f->request.connection_id = c->id;
  f->request.header.assign(header.begin() + kWireHeaderSize, header.end());
  f->request.payload_len = length;
  ++stats_.inflight;
  ++stats_.per_opcode[raw_op];
  ++c->inflight;
  if (length > 0) {
    if (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV) {
      // Rendezvous: UCX pulls the payload straight into the provided buffer.
      UcxOp* op = ucx_.NewOp();
      op->buffer = std::move(buf);
      ucp_request_param_t p = ucx_.RecvParams(op);
      f->recv_op = op;
      f->recv_request = ucp_am_recv_data_nbx(ucx_.worker(), data, op->buffer.data(), length, &p);
    } else {
      std::memcpy(buf.data(), data, length);
      f->request.payload = std::move(buf);
    }
  }
  ex_.Spawn([this, f] { Serve(f); });
  return UCS_OK;
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
  f->reply_ep = nullptr;
  f->recv_op = nullptr;
  f->recv_request = nullptr;
  f->request.header.clear();
  f->request.payload.Reset();
  f->request.payload_len = 0;
  free_inflight_.push_back(f);
}

void RpcServer::Serve(InFlight* f) {
  Response response;
  bool have_payload = true;
  if (f->recv_op != nullptr) {
    UcxOp* op = f->recv_op;
    f->recv_op = nullptr;
    auto r = ucx_.Await(op, f->recv_request, WaitOptions::Within(config_.reply_timeout),
                        "receiving a request payload", &f->request.payload);
    if (!r.ok()) {
      response = Response::Error(r.status());
      have_payload = false;
    }
  }
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

void RpcServer::SendReply(InFlight* f, Response& response) {
  Connection* c = f->conn;
  if (c->dead) {
    ++stats_.replies_dropped;
    return;
  }
  UcxOp* op = ucx_.NewOp();
  WireHeader h;
  h.opcode = f->header.opcode;
  h.flags = kWireFlagReply;
  h.correlation_id = f->header.correlation_id;
  h.status = response.status.code();
  size_t payload_len = 0;
  if (response.status.ok()) {
    h.header_len = static_cast<uint32_t>(response.header.size());
    payload_len = response.payload_len;
    op->buffer = std::move(response.payload);
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
  ucp_request_param_t p = ucx_.SendParams(op, AmSendFlags(config_.protocol));
  ucs_status_ptr_t req = ucp_am_send_nbx(f->reply_ep, kAmReply, op->header.data(), op->header.size(),
                                         payload_len > 0 ? op->buffer.data() : nullptr, payload_len, &p);
  auto r = ucx_.Await(op, req, WaitOptions::Within(config_.reply_timeout), "sending a reply");
  if (!r.ok()) {
    ++stats_.replies_dropped;
    if (!c->owned) c->dead = true;  // an address-based client that went away
  }
}

}  // namespace benchfs

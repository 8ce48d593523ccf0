// Bare UCX ping-pong: context/worker set-up, the echo server loop and the
// client's busy round trip.
#include "benches/raw_ucx_ping.h"

#include <cstring>

#include "rpc/net_address.h"
#include "runtime/ucx_reactor.h"

namespace benchfs {
namespace {

void Wait(ucp_worker_h w, ucs_status_ptr_t r) {
  if (r == nullptr || UCS_PTR_IS_ERR(r)) return;
  while (ucp_request_check_status(r) == UCS_INPROGRESS) ucp_worker_progress(w);
  ucp_request_free(r);
}

}  // namespace

RawUcxWorker::~RawUcxWorker() {
  if (worker != nullptr) ucp_worker_destroy(worker);
  if (context != nullptr) ucp_cleanup(context);
}

Status RawUcxWorker::Init(const std::string& tls) {
  UcxConfig cfg;
  cfg.tls = tls;
  ucp_config_t* c = nullptr;
  ucp_config_read(nullptr, nullptr, &c);
  if (!cfg.EffectiveTls().empty()) ucp_config_modify(c, "TLS", cfg.EffectiveTls().c_str());
  ucp_params_t p{};
  p.field_mask = UCP_PARAM_FIELD_FEATURES;
  p.features = UCP_FEATURE_AM;
  ucs_status_t st = ucp_init(&p, c, &context);
  ucp_config_release(c);
  if (st != UCS_OK) return FromUcs(st, "raw ucp_init");
  ucp_worker_params_t wp{};
  wp.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  wp.thread_mode = UCS_THREAD_MODE_SINGLE;
  st = ucp_worker_create(context, &wp, &worker);
  return st == UCS_OK ? Status() : FromUcs(st, "raw ucp_worker_create");
}

// ---- Server ----

namespace {

struct ServerState {
  ucp_worker_h worker = nullptr;
  std::vector<ucp_conn_request_h> conn_requests;
  std::vector<ucp_ep_h> eps;
  bool pending = false;
  ucp_ep_h reply_ep = nullptr;
  std::vector<std::byte> data;
  size_t len = 0;
};

ucs_status_t OnPing(void* arg, const void*, size_t, void* data, size_t length,
                    const ucp_am_recv_param_t* param) {
  auto* s = static_cast<ServerState*>(arg);
  if (s->data.size() < length) s->data.resize(length);
  if (length > 0) std::memcpy(s->data.data(), data, length);  // eager only (bench sizes)
  s->len = length;
  s->reply_ep = param->reply_ep;
  s->pending = true;
  return UCS_OK;
}

void OnConn(ucp_conn_request_h req, void* arg) {
  static_cast<ServerState*>(arg)->conn_requests.push_back(req);
}

}  // namespace

RawUcxPingServer::RawUcxPingServer(const std::string& tls) : tls_(tls) {
  thread_ = std::thread([this] { Main(); });
  while (!ready_.load()) std::this_thread::yield();
}

RawUcxPingServer::~RawUcxPingServer() {
  stop_ = true;
  thread_.join();
}

void RawUcxPingServer::Main() {
  RawUcxWorker w;
  ServerState s;
  ucp_listener_h listener = nullptr;
  status_ = w.Init(tls_);
  if (status_.ok()) {
    s.worker = w.worker;
    ucp_am_handler_param_t hp{};
    hp.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB |
                    UCP_AM_HANDLER_PARAM_FIELD_ARG | UCP_AM_HANDLER_PARAM_FIELD_FLAGS;
    hp.id = kAmRawPing;
    hp.cb = &OnPing;
    hp.arg = &s;
    hp.flags = UCP_AM_FLAG_WHOLE_MSG;
    ucp_worker_set_am_recv_handler(w.worker, &hp);
    ucp_address_t* addr;
    size_t len;
    ucp_worker_get_address(w.worker, &addr, &len);
    address_.assign(reinterpret_cast<std::byte*>(addr), reinterpret_cast<std::byte*>(addr) + len);
    ucp_worker_release_address(w.worker, addr);
    auto a = ResolveAddress("127.0.0.1", 0);
    ucp_listener_params_t lp{};
    lp.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR | UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
    lp.sockaddr.addr = a->sockaddr_ptr();
    lp.sockaddr.addrlen = a->length;
    lp.conn_handler.cb = &OnConn;
    lp.conn_handler.arg = &s;
    if (ucp_listener_create(w.worker, &lp, &listener) == UCS_OK) {
      ucp_listener_attr_t la{};
      la.field_mask = UCP_LISTENER_ATTR_FIELD_SOCKADDR;
      ucp_listener_query(listener, &la);
      port_ = PortOf(la.sockaddr);
    }
  }
  ready_ = true;
  if (!status_.ok()) return;
  while (!stop_.load(std::memory_order_relaxed)) {
    ucp_worker_progress(w.worker);
    for (ucp_conn_request_h req : s.conn_requests) {
      ucp_ep_params_t p{};
      p.field_mask = UCP_EP_PARAM_FIELD_CONN_REQUEST;
      p.conn_request = req;
      ucp_ep_h ep;
      if (ucp_ep_create(w.worker, &p, &ep) == UCS_OK) s.eps.push_back(ep);
    }
    s.conn_requests.clear();
    if (s.pending) {
      s.pending = false;
      ucp_request_param_t p{};
      Wait(w.worker, ucp_am_send_nbx(s.reply_ep, kAmRawPong, nullptr, 0,
                                     s.len ? s.data.data() : nullptr, s.len, &p));
    }
  }
  for (ucp_ep_h ep : s.eps) {
    ucp_request_param_t p{};
    p.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    p.flags = UCP_EP_CLOSE_FLAG_FORCE;
    Wait(w.worker, ucp_ep_close_nbx(ep, &p));
  }
  if (listener != nullptr) ucp_listener_destroy(listener);
}

// ---- Client ----

RawUcxPingClient::~RawUcxPingClient() {
  if (ep_ != nullptr) {
    ucp_request_param_t p{};
    p.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    p.flags = UCP_EP_CLOSE_FLAG_FORCE;
    Wait(w_.worker, ucp_ep_close_nbx(ep_, &p));
  }
}

Status RawUcxPingClient::Connect(const std::string& tls, uint16_t port,
                                 const std::vector<std::byte>& address) {
  Status s = w_.Init(tls);
  if (!s.ok()) return s;
  ucp_am_handler_param_t hp{};
  hp.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB |
                  UCP_AM_HANDLER_PARAM_FIELD_ARG | UCP_AM_HANDLER_PARAM_FIELD_FLAGS;
  hp.id = kAmRawPong;
  hp.arg = this;
  hp.flags = UCP_AM_FLAG_WHOLE_MSG;
  hp.cb = [](void* arg, const void*, size_t, void* data, size_t length,
             const ucp_am_recv_param_t*) -> ucs_status_t {
    auto* self = static_cast<RawUcxPingClient*>(arg);
    if (length > 0 && length <= self->buf_.size()) std::memcpy(self->buf_.data(), data, length);
    self->got_len_ = length;
    self->got_ = true;
    return UCS_OK;
  };
  ucp_worker_set_am_recv_handler(w_.worker, &hp);
  ucp_ep_params_t p{};
  NetAddress a;
  if (port != 0) {
    auto r = ResolveAddress("127.0.0.1", port);
    if (!r.ok()) return r.status();
    a = *r;
    p.field_mask = UCP_EP_PARAM_FIELD_FLAGS | UCP_EP_PARAM_FIELD_SOCK_ADDR;
    p.flags = UCP_EP_PARAMS_FLAGS_CLIENT_SERVER;
    p.sockaddr.addr = a.sockaddr_ptr();
    p.sockaddr.addrlen = a.length;
  } else {
    p.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS;
    p.address = reinterpret_cast<const ucp_address_t*>(address.data());
  }
  ucs_status_t st = ucp_ep_create(w_.worker, &p, &ep_);
  if (st != UCS_OK) return FromUcs(st, "raw ucp_ep_create");
  return PingPong(0);
}

Status RawUcxPingClient::PingPong(size_t len) {
  if (buf_.size() < len) buf_.resize(len);
  got_ = false;
  ucp_request_param_t p{};
  p.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
  p.flags = UCP_AM_SEND_FLAG_REPLY;
  ucs_status_ptr_t r = ucp_am_send_nbx(ep_, kAmRawPing, nullptr, 0, len ? buf_.data() : nullptr, len, &p);
  if (UCS_PTR_IS_ERR(r)) return FromUcs(UCS_PTR_STATUS(r), "raw ping send");
  Wait(w_.worker, r);
  while (!got_) ucp_worker_progress(w_.worker);
  if (got_len_ != len) return Status(StatusCode::kProtocolError, "raw ping: wrong echo length");
  return Status();
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The bare echo server: worker set-up, listener, and the busy loop.
#include "benches/raw_ucx_ping.h"

#include <cstring>
#include <utility>

#include "floor/network_floor.h"
#include "rpc/net_address.h"
#include "rpc/raw_ping.h"
#include "runtime/ucx_reactor.h"

namespace benchfs {
namespace {

struct ServerState {
  bool untouched = false;  // reply from `data`, never reading the received bytes
  bool peer_errors = true;  // endpoints must match the client's error mode
  std::vector<ucp_conn_request_h> conn_requests;
  std::vector<ucp_ep_h> eps;
  // Replies UCX could not send at once, with the received data they are
  // sent from (kept by returning UCS_INPROGRESS), if any.
  std::vector<std::pair<ucs_status_ptr_t, void*>> sending;
  std::vector<std::byte> data;  // replies that cannot echo the received bytes in place
};

// Replies from inside the callback, from the received bytes in place: the
// same path as the RPC server's inline handlers, minus the RPC layer.
ucs_status_t OnEcho(void* arg, const void* header, size_t header_length, void* data, size_t length,
                    const ucp_am_recv_param_t* param) {
  auto* s = static_cast<ServerState*>(arg);
  const size_t reply_len = RawEchoReplyLength(header, header_length, length);
  const bool in_place =
      !s->untouched && reply_len > 0 && reply_len <= length && !(param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV);
  const bool keepable = in_place && (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_DATA);
  const void* payload = in_place ? data : nullptr;
  ucp_request_param_t p{};
  if (in_place && !keepable) {
    // The bytes vanish when the callback returns: only a send that completes
    // at once may read them in place.
    p.op_attr_mask = UCP_OP_ATTR_FLAG_FORCE_IMM_CMPL;
    ucs_status_ptr_t r = ucp_am_send_nbx(param->reply_ep, kAmRawEchoReply, nullptr, 0, data, reply_len, &p);
    if (r == nullptr || UCS_PTR_STATUS(r) != UCS_ERR_NO_RESOURCE) return UCS_OK;
    p.op_attr_mask = 0;
    payload = nullptr;
  }
  if (reply_len > 0 && payload == nullptr) {
    if (s->data.size() < reply_len) s->data.resize(reply_len);
    if (in_place) std::memcpy(s->data.data(), data, reply_len);
    payload = s->data.data();
  }
  ucs_status_ptr_t r = ucp_am_send_nbx(param->reply_ep, kAmRawEchoReply, nullptr, 0, payload, reply_len, &p);
  if (r == nullptr || UCS_PTR_IS_ERR(r)) return UCS_OK;
  const bool held = keepable && payload == data;
  s->sending.emplace_back(r, held ? data : nullptr);
  return held ? UCS_INPROGRESS : UCS_OK;
}

void OnConn(ucp_conn_request_h req, void* arg) { static_cast<ServerState*>(arg)->conn_requests.push_back(req); }

}  // namespace

RawUcxPingServer::RawUcxPingServer(const std::string& tls, bool untouched) : tls_(tls), untouched_(untouched) {
  thread_ = std::thread([this] { Main(); });
  while (!ready_.load()) std::this_thread::yield();
}

RawUcxPingServer::~RawUcxPingServer() {
  stop_ = true;
  thread_.join();
}

void RawUcxPingServer::Main() {
  RawWorker w;
  ServerState s;
  s.untouched = untouched_;
  UcxConfig cfg;
  cfg.tls = tls_;
  s.peer_errors = !cfg.SharedMemoryOnly();
  ucp_listener_h listener = nullptr;
  status_ = w.Init(tls_);
  if (status_.ok()) status_ = SetAmHandler(w.worker(), kAmRawEcho, &OnEcho, &s);
  if (status_.ok()) {
    ucp_address_t* addr;
    size_t len;
    ucp_worker_get_address(w.worker(), &addr, &len);
    address_.assign(reinterpret_cast<std::byte*>(addr), reinterpret_cast<std::byte*>(addr) + len);
    ucp_worker_release_address(w.worker(), addr);
    auto a = ResolveAddress("127.0.0.1", 0);
    ucp_listener_params_t lp{};
    lp.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR | UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
    lp.sockaddr.addr = a->sockaddr_ptr();
    lp.sockaddr.addrlen = a->length;
    lp.conn_handler.cb = &OnConn;
    lp.conn_handler.arg = &s;
    if (ucp_listener_create(w.worker(), &lp, &listener) == UCS_OK) {
      ucp_listener_attr_t la{};
      la.field_mask = UCP_LISTENER_ATTR_FIELD_SOCKADDR;
      ucp_listener_query(listener, &la);
      port_ = PortOf(la.sockaddr);
    }
  }
  ready_ = true;
  if (!status_.ok()) return;
  while (!stop_.load(std::memory_order_relaxed)) {
    ucp_worker_progress(w.worker());
    for (ucp_conn_request_h req : s.conn_requests) {
      ucp_ep_params_t p{};
      p.field_mask = UCP_EP_PARAM_FIELD_CONN_REQUEST | UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE |
                     UCP_EP_PARAM_FIELD_ERR_HANDLER;
      p.conn_request = req;
      p.err_mode = s.peer_errors ? UCP_ERR_HANDLING_MODE_PEER : UCP_ERR_HANDLING_MODE_NONE;
      p.err_handler.cb = [](void*, ucp_ep_h, ucs_status_t) {};
      ucp_ep_h ep;
      if (ucp_ep_create(w.worker(), &p, &ep) == UCS_OK) s.eps.push_back(ep);
    }
    s.conn_requests.clear();
    while (!s.sending.empty()) {
      auto [request, held] = s.sending.back();
      s.sending.pop_back();
      WaitBusy(w.worker(), request);
      if (held != nullptr) ucp_am_data_release(w.worker(), held);
    }
  }
  for (ucp_ep_h ep : s.eps) CloseBusy(w.worker(), ep);
  if (listener != nullptr) ucp_listener_destroy(listener);
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The busy-polling raw client of the network floor.
#include "floor/network_floor.h"

#include <algorithm>
#include <cstring>

#include "rpc/bootstrap.h"
#include "rpc/codec.h"
#include "rpc/net_address.h"
#include "runtime/ucx_reactor.h"

namespace benchfs {

void WaitBusy(ucp_worker_h w, ucs_status_ptr_t r) {
  if (r == nullptr || UCS_PTR_IS_ERR(r)) return;
  while (ucp_request_check_status(r) == UCS_INPROGRESS) ucp_worker_progress(w);
  ucp_request_free(r);
}

void CloseBusy(ucp_worker_h w, ucp_ep_h ep) {
  ucp_request_param_t p{};
  p.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
  p.flags = UCP_EP_CLOSE_FLAG_FORCE;
  WaitBusy(w, ucp_ep_close_nbx(ep, &p));
}

RawWorker::~RawWorker() {
  if (worker_ != nullptr) ucp_worker_destroy(worker_);
  if (context_ != nullptr) ucp_cleanup(context_);
}

Status RawWorker::Init(const std::string& tls) {
  UcxConfig cfg;
  cfg.tls = tls;
  ucp_config_t* c = nullptr;
  ucs_status_t st = ucp_config_read(nullptr, nullptr, &c);
  if (st != UCS_OK) return FromUcs(st, "raw UCX: reading the configuration");
  ApplyUcxDefaults(c, cfg.EffectiveTls());
  if (!cfg.EffectiveTls().empty()) ucp_config_modify(c, "TLS", cfg.EffectiveTls().c_str());
  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES;
  params.features = UCP_FEATURE_AM;
  st = ucp_init(&params, c, &context_);
  ucp_config_release(c);
  if (st != UCS_OK) return FromUcs(st, "raw UCX: ucp_init");
  ucp_worker_params_t wp{};
  wp.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  wp.thread_mode = UCS_THREAD_MODE_SINGLE;
  st = ucp_worker_create(context_, &wp, &worker_);
  return st == UCS_OK ? Status() : FromUcs(st, "raw UCX: ucp_worker_create");
}

RawPingClient::~RawPingClient() {
  if (ep_ != nullptr) CloseBusy(w_.worker(), ep_);
}

Status RawPingClient::Connect(const std::string& tls, const std::string& host, uint16_t port,
                              std::span<const std::byte> worker_address, Duration timeout) {
  Status s = w_.Init(tls);
  if (!s.ok()) return s;
  UcxConfig cfg;
  cfg.tls = tls;
  ucs_status_t st;
  auto on_reply = [](void* arg, const void*, size_t, void* data, size_t length,
                     const ucp_am_recv_param_t* param) -> ucs_status_t {
    auto* self = static_cast<RawPingClient*>(arg);
    if (self->copy_reply_ && length > 0 && length <= self->buf_.size() &&
        !(param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV)) {
      std::memcpy(self->buf_.data(), data, length);
    }
    self->got_len_ = length;
    self->got_ = true;
    return UCS_OK;
  };
  s = SetAmHandler(w_.worker(), kAmRawEchoReply, on_reply, this);
  if (!s.ok()) return s;

  ucp_ep_params_t p{};
  p.field_mask = UCP_EP_PARAM_FIELD_ERR_HANDLER | UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
  p.err_mode = cfg.SharedMemoryOnly() ? UCP_ERR_HANDLING_MODE_NONE : UCP_ERR_HANDLING_MODE_PEER;
  p.err_handler.arg = this;
  p.err_handler.cb = [](void* arg, ucp_ep_h, ucs_status_t) { static_cast<RawPingClient*>(arg)->failed_ = true; };
  std::vector<std::byte> fetched;
  if (worker_address.empty()) {
    // Outside any event loop: the bootstrap exchange may block until the deadline.
    auto a = ResolveAddress(host, port);
    if (!a.ok()) return a.status();
    auto w = FetchWorkerAddressBlocking(*a, "", Now() + timeout);
    if (!w.ok()) return w.status();
    fetched = std::move(w.value());
    worker_address = fetched;
  }
  p.field_mask |= UCP_EP_PARAM_FIELD_REMOTE_ADDRESS;
  p.address = reinterpret_cast<const ucp_address_t*>(worker_address.data());
  if ((st = ucp_ep_create(w_.worker(), &p, &ep_)) != UCS_OK) return FromUcs(st, "raw ping: ucp_ep_create");
  return RoundTrip(0, 0, Now() + timeout);
}

Status RawPingClient::RoundTrip(size_t send_len, size_t reply_len, TimePoint deadline) {
  if (buf_.size() < std::max(send_len, reply_len)) buf_.resize(std::max(send_len, reply_len));
  got_ = false;
  std::byte header[4];
  PutLE<uint32_t>(header, static_cast<uint32_t>(reply_len));
  ucp_request_param_t p{};
  p.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
  p.flags = UCP_AM_SEND_FLAG_REPLY;
  ucs_status_ptr_t r = ucp_am_send_nbx(ep_, kAmRawEcho, header, sizeof(header),
                                       send_len ? buf_.data() : nullptr, send_len, &p);
  if (UCS_PTR_IS_ERR(r)) return FromUcs(UCS_PTR_STATUS(r), "raw ping send");
  WaitBusy(w_.worker(), r);
  uint32_t spins = 0;
  while (!got_ && !failed_) {
    ucp_worker_progress(w_.worker());
    if (++spins % 1024 == 0 && Now() > deadline) {
      return Status::TimedOut("raw ping: no echo before the deadline");
    }
  }
  if (failed_) return Status::Unavailable("raw ping: the connection failed");
  if (got_len_ != reply_len) return Status::ProtocolError("raw ping: echo of the wrong length");
  return Status();
}

Result<Histogram> RawPingClient::Measure(size_t send_len, size_t reply_len, uint64_t warmup, uint64_t count) {
  Histogram h;
  for (uint64_t i = 0; i < warmup + count; ++i) {
    const TimePoint t0 = Now();
    Status s = RoundTrip(send_len, reply_len, t0 + std::chrono::seconds(5));
    if (!s.ok()) return s;
    if (i >= warmup) h.Record(static_cast<uint64_t>((Now() - t0).count()));
  }
  return h;
}

}  // namespace benchfs

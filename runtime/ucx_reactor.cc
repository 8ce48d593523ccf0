// SPDX-License-Identifier: BSD-3-Clause
// UcxReactor implementation: context and worker set-up, progress, arming for
// park, and the op life cycle shared with UCX callbacks.
#include "runtime/ucx_reactor.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "runtime/executor.h"

namespace benchfs {

std::string UcsStatusText(ucs_status_t s) {
  return std::string(ucs_status_string(s)) + " (UCS status " + std::to_string(static_cast<int>(s)) + ")";
}

Status FromUcs(ucs_status_t s, const std::string& context) {
  StatusCode code;
  switch (s) {
    case UCS_OK: return Status();
    case UCS_ERR_TIMED_OUT:
    case UCS_ERR_ENDPOINT_TIMEOUT: code = StatusCode::kTimedOut; break;
    case UCS_ERR_CANCELED: code = StatusCode::kCancelled; break;
    case UCS_ERR_BUSY:
    case UCS_ERR_NO_RESOURCE: code = StatusCode::kBusy; break;
    case UCS_ERR_NO_MEMORY:
    case UCS_ERR_EXCEEDS_LIMIT: code = StatusCode::kResourceExhausted; break;
    case UCS_ERR_INVALID_PARAM:
    case UCS_ERR_INVALID_ADDR: code = StatusCode::kInvalidArgument; break;
    case UCS_ERR_UNREACHABLE:
    case UCS_ERR_CONNECTION_RESET:
    case UCS_ERR_REJECTED:
    case UCS_ERR_NOT_CONNECTED:
    case UCS_ERR_NO_DEVICE:
    case UCS_ERR_UNSUPPORTED:
    case UCS_ERR_IO_ERROR: code = StatusCode::kUnavailable; break;
    default: code = StatusCode::kIoError; break;
  }
  return Status(code, context + ": " + UcsStatusText(s));
}

Status UcxConfig::Validate() const {
  if (progress_cap == 0 || progress_cap > 1u << 20) {
    return Status::InvalidArgument("ucx progress_cap = " + std::to_string(progress_cap) +
                      " is out of range: allowed 1..1048576");
  }
  return Status();
}

void ApplyUcxDefaults(ucp_config_t* config, const std::string& tls) {
  std::string list = tls;
  if (list.empty()) {
    const char* env = std::getenv("UCX_TLS");
    list = env != nullptr ? env : "";
  }
  const bool has_all = list.find("all") != std::string::npos;
  // Whether UCX may pick a transport the list names by one of `names`.
  auto may_use = [&](std::initializer_list<const char*> names) {
    bool named = false;
    for (const char* n : names) named = named || list.find(n) != std::string::npos;
    return list.empty() || (list[0] == '^' ? !named : named || has_all);
  };
  // UCT settings are given without their transport's prefix (TCP_).
  if (may_use({"tcp"}) && std::getenv("UCX_TCP_PUT_ENABLE") == nullptr) ucp_config_modify(config, "PUT_ENABLE", "n");
  if (may_use({"posix", "sysv", "shm", "sm", "mm"}) && std::getenv("UCX_POSIX_FIFO_ELEM_SIZE") == nullptr &&
      std::getenv("UCX_SYSV_FIFO_ELEM_SIZE") == nullptr && std::getenv("UCX_MM_FIFO_ELEM_SIZE") == nullptr) {
    ucp_config_modify(config, "MM_FIFO_ELEM_SIZE", "256");
  }
}

std::string UcxConfig::EffectiveTls() const { return tls == "shm" ? "posix,sysv,self" : tls; }

bool UcxConfig::SharedMemoryOnly() const {
  const std::string t = EffectiveTls();
  if (t.empty()) return false;
  size_t start = 0;
  while (start <= t.size()) {
    size_t end = t.find(',', start);
    if (end == std::string::npos) end = t.size();
    const std::string name = t.substr(start, end - start);
    if (name != "posix" && name != "sysv" && name != "self" && name != "cma" && name != "sm" &&
        name != "shm" && name != "knem" && name != "xpmem") {
      return false;
    }
    start = end + 1;
  }
  return true;
}

Result<std::unique_ptr<UcxReactor>> UcxReactor::Create(Executor& ex, const UcxConfig& config) {
  Status s = config.Validate();
  if (!s.ok()) return s;
  std::unique_ptr<UcxReactor> r(new UcxReactor(ex, config));
  s = r->Init();
  if (!s.ok()) return s;
  return r;
}

Status UcxReactor::Init() {
  ucp_config_t* cfg = nullptr;
  ucs_status_t st = ucp_config_read(nullptr, nullptr, &cfg);
  if (st != UCS_OK) return FromUcs(st, "reading the UCX configuration (UCX_* environment)");
  const std::string tls = config_.EffectiveTls();
  ApplyUcxDefaults(cfg, tls);
  if (!tls.empty() && (st = ucp_config_modify(cfg, "TLS", tls.c_str())) != UCS_OK) {
    ucp_config_release(cfg);
    return FromUcs(st, "UCX refused tls '" + config_.tls + "'");
  }
  if (!config_.net_devices.empty() &&
      (st = ucp_config_modify(cfg, "NET_DEVICES", config_.net_devices.c_str())) != UCS_OK) {
    ucp_config_release(cfg);
    return FromUcs(st, "UCX refused net_devices '" + config_.net_devices + "'");
  }
  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES;
  params.features = UCP_FEATURE_AM | UCP_FEATURE_WAKEUP;
  st = ucp_init(&params, cfg, &context_);
  ucp_config_release(cfg);
  if (st != UCS_OK) {
    return FromUcs(st, "ucp_init (tls '" + (tls.empty() ? std::string("default") : tls) +
                           "'): no usable transport with active messages and wake-up");
  }
  ucp_worker_params_t wp{};
  wp.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  // A loop that several threads drive in turn progresses the worker from each.
  wp.thread_mode = ex_.config().any_thread ? UCS_THREAD_MODE_SERIALIZED : UCS_THREAD_MODE_SINGLE;
  if ((st = ucp_worker_create(context_, &wp, &worker_)) != UCS_OK) {
    return FromUcs(st, "ucp_worker_create");
  }
  if ((st = ucp_worker_get_efd(worker_, &efd_)) != UCS_OK) {
    return FromUcs(st, "ucp_worker_get_efd (the selected transports cannot wake a parked worker)");
  }
  ucp_worker_attr_t attr{};
  attr.field_mask = UCP_WORKER_ATTR_FIELD_MAX_AM_HEADER;
  if ((st = ucp_worker_query(worker_, &attr)) != UCS_OK) return FromUcs(st, "ucp_worker_query");
  max_am_header_ = attr.max_am_header;
  ex_.AddPoller(this);
  registered_ = true;
  return Status();
}

UcxReactor::~UcxReactor() {
  if (registered_) ex_.RemovePoller(this);
  RunDeferred();
  if (worker_ != nullptr) ucp_worker_destroy(worker_);
  if (context_ != nullptr) ucp_cleanup(context_);
}

Result<std::vector<std::byte>> UcxReactor::WorkerAddress() const {
  ucp_address_t* addr = nullptr;
  size_t len = 0;
  ucs_status_t st = ucp_worker_get_address(worker_, &addr, &len);
  if (st != UCS_OK) return FromUcs(st, "ucp_worker_get_address");
  std::vector<std::byte> out(reinterpret_cast<std::byte*>(addr),
                             reinterpret_cast<std::byte*>(addr) + len);
  ucp_worker_release_address(worker_, addr);
  return out;
}

bool UcxReactor::Poll() {
  bool progressed = false;
  for (uint32_t i = 0; i < config_.progress_cap && ucp_worker_progress(worker_) != 0; ++i) {
    progressed = true;
  }
  if (!deferred_.empty()) progressed |= RunDeferred();
  return progressed;
}

bool UcxReactor::RunDeferred() {
  bool ran = false;
  while (!deferred_.empty()) {
    std::vector<std::function<void()>> batch;
    batch.swap(deferred_);
    for (auto& fn : batch) fn();
    ran = true;
  }
  return ran;
}

bool UcxReactor::ArmForPark() {
  ucs_status_t st = ucp_worker_arm(worker_);
  return st == UCS_OK;  // UCS_ERR_BUSY: events are pending, progress first
}

Status UcxReactor::SetAmHandler(unsigned id, ucp_am_recv_callback_t cb, void* arg) {
  return benchfs::SetAmHandler(worker_, id, cb, arg);
}

Status SetAmHandler(ucp_worker_h worker, unsigned id, ucp_am_recv_callback_t cb, void* arg) {
  ucp_am_handler_param_t p{};
  p.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB |
                 UCP_AM_HANDLER_PARAM_FIELD_ARG | UCP_AM_HANDLER_PARAM_FIELD_FLAGS;
  p.id = id;
  p.cb = cb;
  p.arg = arg;
  p.flags = cb != nullptr ? UCP_AM_FLAG_WHOLE_MSG : 0;
  ucs_status_t st = ucp_worker_set_am_recv_handler(worker, &p);
  return st == UCS_OK ? Status() : FromUcs(st, "registering the handler of active message " + std::to_string(id));
}

Result<ucp_ep_h> UcxReactor::CreateEndpoint(std::span<const std::byte> address, bool peer_failure_detection,
                                            ucp_err_handler_cb_t on_error, void* arg, std::string_view what) {
  ucp_ep_params_t p{};
  p.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS | UCP_EP_PARAM_FIELD_ERR_HANDLER |
                 UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE;
  p.address = reinterpret_cast<const ucp_address_t*>(address.data());
  p.err_mode = peer_failure_detection ? UCP_ERR_HANDLING_MODE_PEER : UCP_ERR_HANDLING_MODE_NONE;
  p.err_handler.cb = on_error;
  p.err_handler.arg = arg;
  ucp_ep_h ep = nullptr;
  const ucs_status_t st = ucp_ep_create(worker_, &p, &ep);
  if (st != UCS_OK) return FromUcs(st, std::string(what));
  return ep;
}

ucs_status_ptr_t UcxReactor::StartClose(ucp_ep_h ep, UcxOp* op) {
  ucp_request_param_t p = SendParams(op);
  p.op_attr_mask |= UCP_OP_ATTR_FIELD_FLAGS;
  p.flags = UCP_EP_CLOSE_FLAG_FORCE;
  return ucp_ep_close_nbx(ep, &p);
}

void UcxReactor::CloseEndpoint(ucp_ep_h ep) {
  UcxOp* op = NewOp();
  Detach(op, StartClose(ep, op));
}

Status UcxReactor::CloseEndpointAndWait(ucp_ep_h ep, const WaitOptions& w) {
  UcxOp* op = NewOp();
  return Await(op, StartClose(ep, op), w, "closing a connection").status();
}

UcxOp* UcxReactor::NewOp() {
  UcxOp* op;
  if (!free_ops_.empty()) {
    op = free_ops_.back();
    free_ops_.pop_back();
  } else {
    ops_.push_back(std::make_unique<UcxOp>());
    op = ops_.back().get();
    op->owner = this;
  }
  ++live_ops_;
  return op;
}

void UcxReactor::ReleaseOp(UcxOp* op) {
  if (op->request != nullptr) ucp_request_free(op->request);
  if (op->am_data != nullptr) ucp_am_data_release(worker_, op->am_data);
  op->am_data = nullptr;
  op->request = nullptr;
  op->waiter = nullptr;
  op->done = op->orphaned = false;
  op->status = UCS_INPROGRESS;
  op->length = 0;
  op->header.clear();
  op->buffer.Reset();
  free_ops_.push_back(op);
  --live_ops_;
}

ucp_request_param_t UcxReactor::SendParams(UcxOp* op, uint32_t am_flags) {
  ucp_request_param_t p{};
  p.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
  if (am_flags != 0) p.op_attr_mask |= UCP_OP_ATTR_FIELD_FLAGS;
  p.flags = am_flags;
  p.cb.send = &UcxReactor::OnSend;
  p.user_data = op;
  return p;
}

ucp_request_param_t UcxReactor::RecvParams(UcxOp* op) {
  ucp_request_param_t p{};
  p.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
  p.cb.recv_am = &UcxReactor::OnRecv;
  p.user_data = op;
  return p;
}

ucs_status_ptr_t UcxReactor::StartAmSend(ucp_ep_h ep, unsigned id, UcxOp* op, size_t payload_len,
                                         uint32_t flags) {
  ucp_request_param_t p = SendParams(op, flags);
  return ucp_am_send_nbx(ep, id, op->header.empty() ? nullptr : op->header.data(), op->header.size(),
                         payload_len > 0 ? op->buffer.data() : nullptr, payload_len, &p);
}

Status UcxReactor::SendAm(ucp_ep_h ep, unsigned id, UcxOp* op, size_t payload_len, uint32_t flags,
                          const WaitOptions& w, std::string_view what, IoBuffer* payload_back) {
  return Await(op, StartAmSend(ep, id, op, payload_len, flags), w, what, payload_back).status();
}

void UcxReactor::PostAm(ucp_ep_h ep, unsigned id, UcxOp* op, size_t payload_len, uint32_t flags) {
  Detach(op, StartAmSend(ep, id, op, payload_len, flags));
}

ucs_status_t UcxReactor::SendAmFromCallback(ucp_ep_h ep, unsigned id, UcxOp* op, const std::byte* payload,
                                            size_t len, uint32_t flags, const ucp_am_recv_param_t* param,
                                            void* data, size_t data_len, ucs_status_t* error) {
  *error = UCS_OK;
  const std::byte* in_message = static_cast<const std::byte*>(data);
  const bool borrowed = len > 0 && payload != op->buffer.data();
  const bool keepable = (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_DATA) != 0 && data != nullptr &&
                        payload >= in_message && payload + len <= in_message + data_len;
  ucp_request_param_t p = SendParams(op, flags);
  const void* hdr = op->header.empty() ? nullptr : op->header.data();
  if (borrowed && !keepable) {
    // The bytes vanish when the callback returns: only a send that completes
    // now may read them in place (UCX's short protocol).
    p.op_attr_mask |= UCP_OP_ATTR_FLAG_FORCE_IMM_CMPL;
    ucs_status_ptr_t r = ucp_am_send_nbx(ep, id, hdr, op->header.size(), payload, len, &p);
    if (r == nullptr || UCS_PTR_STATUS(r) != UCS_ERR_NO_RESOURCE) {
      if (UCS_PTR_IS_ERR(r)) *error = UCS_PTR_STATUS(r);
      ReleaseOp(op);
      return UCS_OK;
    }
    p.op_attr_mask &= ~UCP_OP_ATTR_FLAG_FORCE_IMM_CMPL;
    op->buffer = IoBuffer::AllocateUninitialized(len, 64);
    std::memcpy(op->buffer.data(), payload, len);
    payload = op->buffer.data();
  }
  ucs_status_ptr_t r = ucp_am_send_nbx(ep, id, hdr, op->header.size(), len > 0 ? payload : nullptr, len, &p);
  if (Start(op, r)) {
    if (op->status != UCS_OK) *error = op->status;
    ReleaseOp(op);
    return UCS_OK;
  }
  op->orphaned = true;
  if (borrowed && keepable) {
    op->am_data = data;  // released with the op, once the send is done
    return UCS_INPROGRESS;
  }
  return UCS_OK;
}

UcxReceive UcxReactor::ReceiveAmData(void* data, size_t length, const ucp_am_recv_param_t* param,
                                     IoBuffer& dest) {
  if (length == 0) return {};
  if (!(param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV)) {
    std::memcpy(dest.data(), data, length);
    return {};
  }
  UcxOp* op = NewOp();
  op->buffer = std::move(dest);
  ucp_request_param_t p = RecvParams(op);
  return {op, ucp_am_recv_data_nbx(worker_, data, op->buffer.data(), length, &p)};
}

Status UcxReactor::AwaitReceive(UcxReceive& r, const WaitOptions& w, std::string_view what, IoBuffer* dest) {
  if (!r.pending()) return Status();
  const UcxReceive pending = r;
  r = {};
  return Await(pending.op, pending.request, w, what, dest).status();
}

void UcxReactor::Abandon(UcxReceive& r) {
  if (r.pending()) Detach(r.op, r.request);
  r = {};
}

void UcxReactor::OnSend(void*, ucs_status_t status, void* user_data) {
  UcxOp* op = static_cast<UcxOp*>(user_data);
  op->owner->Complete(op, status, 0);
}

void UcxReactor::OnRecv(void*, ucs_status_t status, size_t length, void* user_data) {
  UcxOp* op = static_cast<UcxOp*>(user_data);
  op->owner->Complete(op, status, length);
}

void UcxReactor::Complete(UcxOp* op, ucs_status_t status, size_t length) {
  op->done = true;
  op->status = status;
  op->length = length;
  if (op->orphaned) {
    Defer([this, op] { ReleaseOp(op); });  // not from inside the UCX callback
  } else if (op->waiter != nullptr) {
    ex_.Wake(op->waiter);
  }
}

bool UcxReactor::Start(UcxOp* op, ucs_status_ptr_t request) {
  if (request == nullptr) {  // completed at once; UCX calls no callback
    op->done = true;
    op->status = UCS_OK;
  } else if (UCS_PTR_IS_ERR(request)) {
    op->done = true;
    op->status = UCS_PTR_STATUS(request);
  } else {
    op->request = request;
    if (op->done) return true;  // the callback ran during the call
  }
  return op->done;
}

Result<size_t> UcxReactor::Await(UcxOp* op, ucs_status_ptr_t request, const WaitOptions& w,
                                 std::string_view what, IoBuffer* buffer_back) {
  Start(op, request);
  const WaitOptions wait = op->done ? w : w.Resolved();
  while (!op->done) {
    op->waiter = ex_.current();
    WakeReason why = ex_.Wait(nullptr, wait);
    if (op->done) break;
    if (why == WakeReason::kNotified) continue;
    op->waiter = nullptr;
    op->orphaned = true;
    ucp_request_cancel(worker_, op->request);
    if (why == WakeReason::kTimedOut) {
      return Status::TimedOut(std::string(what) + " did not complete before its deadline");
    }
    return Status::Cancelled(std::string(what) + " was cancelled");
  }
  const ucs_status_t st = op->status;
  const size_t length = op->length;
  if (buffer_back != nullptr) *buffer_back = std::move(op->buffer);
  ReleaseOp(op);
  if (st != UCS_OK) return FromUcs(st, std::string(what));
  return length;
}

void UcxReactor::Detach(UcxOp* op, ucs_status_ptr_t request) {
  if (Start(op, request)) {
    ReleaseOp(op);
  } else {
    op->orphaned = true;
  }
}

}  // namespace benchfs

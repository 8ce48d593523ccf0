// SPDX-License-Identifier: BSD-3-Clause
// RpcClient implementation: connections, the reply AM handler, calls with
// deadlines and BUSY retries.
#include "rpc/client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "rpc/bootstrap.h"
#include "rpc/hello.h"
#include "rpc/registry.h"
#include "runtime/executor.h"

namespace benchfs {

struct RpcClient::PendingCall {
  uint64_t id = 0;
  Opcode opcode = Opcode::kPing;
  Connection* conn = nullptr;
  Fiber* waiter = nullptr;
  bool done = false;
  Status status;
  std::vector<std::byte> header;
  size_t payload_len = 0;
  IoBuffer caller_buffer;  // the caller's reply buffer, handed back at the end
  IoBuffer target;         // where the payload went when it did not fit the caller's
  bool into_caller = false;
  UcxReceive payload;  // rendezvous receive of the reply payload
  std::optional<ServerTrace> trace;
};

RpcClient::RpcClient(UcxReactor& ucx, const RpcClientConfig& config)
    : ucx_(ucx), ex_(ucx.executor()), config_(config) {}

Result<std::unique_ptr<RpcClient>> RpcClient::Create(UcxReactor& ucx, const RpcClientConfig& config) {
  Status s = config.Validate();
  if (!s.ok()) return s;
  std::unique_ptr<RpcClient> c(new RpcClient(ucx, config));
  s = c->Init();
  if (!s.ok()) return s;
  return c;
}

Status RpcClient::Init() { return ucx_.SetAmHandler(kAmReply, &RpcClient::OnReplyAm, this); }

RpcClient::~RpcClient() {
  ucx_.SetAmHandler(kAmReply, nullptr, nullptr).IgnoreError();  // teardown: nothing left to tell
  for (auto& c : connections_) {
    if (!c->dead_) ucx_.CloseEndpoint(c->ep_);
  }
}

// ---- Connections ----

std::string Connection::Describe() const {
  char* text = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&text, &len);
  if (f == nullptr) return "";
  ucp_ep_print_info(ep_, f);
  std::fclose(f);
  std::string out(text, len);
  std::free(text);
  return out;
}

std::string Connection::Transports() const {
  // Lane lines look like "#                lane[0]:  8:tcp/lo.0 md[4] ... am am_bw#0"; keep
  // the distinct "<tl>/<device>" names of the lanes.
  std::string info = Describe();
  std::vector<std::string> names;
  size_t pos = 0;
  while ((pos = info.find("lane[", pos)) != std::string::npos) {
    size_t colon = info.find(':', info.find(':', pos) + 1);
    size_t eol = info.find('\n', pos);
    pos = eol == std::string::npos ? info.size() : eol;
    if (colon == std::string::npos || colon > pos) continue;
    size_t start = colon + 1;
    size_t end = info.find_first_of(" \t", start);
    std::string name = info.substr(start, end - start);
    size_t dot = name.rfind('.');
    if (dot != std::string::npos && name.find('/') != std::string::npos && dot > name.find('/')) {
      name = name.substr(0, dot);
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : " ") + n;
  return joined;
}

Result<Connection*> RpcClient::Open(std::span<const std::byte> address, const std::string& peer,
                                    bool peer_failure_detection) {
  auto ep = ucx_.CreateEndpoint(address, peer_failure_detection, &RpcClient::OnEpError, this, "connecting to " + peer);
  if (!ep.ok()) return ep.status();
  auto c = std::make_unique<Connection>();
  c->ep_ = *ep;
  c->peer_ = peer;
  c->peer_failure_detection_ = peer_failure_detection;
  Connection* raw = c.get();
  connections_.push_back(std::move(c));
  // Endpoint creation is asynchronous: a first call proves the path end to
  // end (and, with a token, opens the connection for other requests).
  const TimePoint deadline = Now() + config_.connect_timeout;
  Status s = Hello(raw, config_.token, deadline);
  if (!s.ok()) {
    Disconnect(raw);
    if (s.code() == StatusCode::kPermissionDenied) {
      return Status(s.code(), "the BenchFS server at " + peer + " refused the connection: " + s.message());
    }
    return Status(s.code() == StatusCode::kTimedOut ? StatusCode::kTimedOut : StatusCode::kUnavailable,
                  "cannot reach the BenchFS server at " + peer + ": " + s.message());
  }
  return raw;
}

Result<Connection*> RpcClient::Connect(const std::string& host, uint16_t port) {
  auto addr = ResolveAddress(host, port);
  if (!addr.ok()) return addr.status();
  auto worker = FetchWorkerAddress(ex_, *addr, config_.token, Now() + config_.connect_timeout);
  if (!worker.ok()) {
    const Status& s = worker.status();
    if (s.code() == StatusCode::kPermissionDenied) {
      return Status(s.code(), "the BenchFS server at " + addr->ToString() + " refused the connection: " + s.message());
    }
    return Status(s.code() == StatusCode::kTimedOut ? StatusCode::kTimedOut : StatusCode::kUnavailable,
                  "cannot reach the BenchFS server at " + addr->ToString() + ": " + s.message());
  }
  auto c = ConnectAddress(*worker, addr->ToString());
  if (c.ok()) (*c)->worker_address_ = std::move(worker.value());
  return c;
}

Result<Connection*> RpcClient::ConnectRegistry(const std::string& dir, const std::string& name) {
  auto addr = WaitForAddress(ex_, dir, name, Now() + config_.connect_timeout);
  if (!addr.ok()) return addr.status();
  return ConnectAddress(*addr, "registry entry " + RegistryPath(dir, name));
}

Result<Connection*> RpcClient::ConnectAddress(std::span<const std::byte> address, const std::string& peer) {
  // Shared-memory transports cannot detect a dead peer in UCX 1.13; such a
  // connection relies on call deadlines alone.
  return Open(address, peer, !ucx_.config().SharedMemoryOnly());
}

void RpcClient::Disconnect(Connection* c) {
  if (c->dead_) return;
  c->dead_ = true;
  c->error_ = "closed by the client";
  FailPending(c, Status::Cancelled("connection to " + c->peer_ + " was closed"));
  if (ex_.InFiber()) {
    (void)ucx_.CloseEndpointAndWait(c->ep_, WaitOptions::For(config_.connect_timeout));
  } else {
    ucx_.CloseEndpoint(c->ep_);
  }
}

void RpcClient::OnEpError(void* arg, ucp_ep_h ep, ucs_status_t status) {
  auto* self = static_cast<RpcClient*>(arg);
  for (auto& c : self->connections_) {
    if (c->ep_ != ep || c->dead_) continue;
    c->dead_ = true;
    c->error_ = UcsStatusText(status);
    self->FailPending(c.get(), Status::Unavailable("connection to " + c->peer_ + " lost: " + c->error_));
    Connection* raw = c.get();
    self->ucx_.Defer([self, raw] { self->ucx_.CloseEndpoint(raw->ep_); });
  }
}

void RpcClient::FailPending(Connection* c, const Status& why) {
  c->window_.ReleaseAll(ex_);
  for (PendingCall* pc : pending_) {
    if (pc == nullptr || pc->conn != c) continue;
    RemovePending(pc->id);
    pc->status = why;
    Finish(pc);
  }
}

uint64_t RpcClient::AddPending(PendingCall* pc) {
  uint32_t idx;
  if (!free_pending_.empty()) {
    idx = free_pending_.back();
    free_pending_.pop_back();
  } else {
    idx = static_cast<uint32_t>(pending_.size());
    pending_.push_back(nullptr);
  }
  pending_[idx] = pc;
  ++pending_count_;
  // Slot in the low half, a sequence number in the high half: a late reply
  // for a reused slot never matches the new call.
  return (static_cast<uint64_t>(++next_seq_) << 32) | idx;
}

RpcClient::PendingCall* RpcClient::FindPending(uint64_t id) const {
  const uint32_t idx = static_cast<uint32_t>(id);
  if (idx >= pending_.size() || pending_[idx] == nullptr || pending_[idx]->id != id) return nullptr;
  return pending_[idx];
}

void RpcClient::RemovePending(uint64_t id) {
  if (FindPending(id) == nullptr) return;
  const uint32_t idx = static_cast<uint32_t>(id);
  pending_[idx] = nullptr;
  free_pending_.push_back(idx);
  --pending_count_;
}

void RpcClient::Finish(PendingCall* pc) {
  pc->done = true;
  ex_.Wake(pc->waiter);
}

// ---- Replies ----

ucs_status_t RpcClient::OnReplyAm(void* arg, const void* header, size_t header_length, void* data,
                                  size_t length, const ucp_am_recv_param_t* param) {
  static_cast<RpcClient*>(arg)->OnReply({static_cast<const std::byte*>(header), header_length},
                                        data, length, param);
  return UCS_OK;
}

void RpcClient::OnReply(std::span<const std::byte> header, void* data, size_t length,
                        const ucp_am_recv_param_t* param) {
  DecodedHeader d = DecodeHeader(header, length, config_.limits);
  if (d.status.ok() && !d.header.is_reply()) {
    d.status = Status::ProtocolError("a request arrived at the reply handler");
  }
  PendingCall* pc = d.identified ? FindPending(d.header.correlation_id) : nullptr;
  if (pc == nullptr) {
    if (d.status.ok()) {
      ++stats_.late_replies;
    } else {
      ++stats_.malformed_replies;
    }
    return;
  }
  RemovePending(pc->id);
  if (d.status.ok() && d.header.opcode != static_cast<uint8_t>(pc->opcode)) {
    d.status = Status::ProtocolError("reply opcode " + OpcodeName(d.header.opcode) + " does not match the call's " +
                          std::string(OpcodeName(pc->opcode)));
  }
  if (!d.status.ok()) {
    ++stats_.malformed_replies;
    pc->status = Status::ProtocolError("bad reply from " + pc->conn->peer_ + ": " +
                                                        d.status.message());
    Finish(pc);
    return;
  }
  const std::byte* op_header = header.data() + kWireHeaderSize;
  if (d.header.status != StatusCode::kOk) {
    pc->status = Status(d.header.status,
                        std::string(reinterpret_cast<const char*>(op_header), d.header.header_len),
                        d.header.sys_errno);
    Finish(pc);
    return;
  }
  size_t op_len = d.header.header_len;
  if (d.header.flags & kWireFlagTrace) {
    if (op_len < kTraceBlockSize) {
      ++stats_.malformed_replies;
      pc->status = Status::ProtocolError("bad reply from " + pc->conn->peer_ +
                                                          ": a traced reply without its trace block");
      Finish(pc);
      return;
    }
    pc->trace = DecodeTrace({op_header, op_len});
    op_len -= kTraceBlockSize;
  }
  pc->header.assign(op_header, op_header + op_len);
  pc->payload_len = length;
  if (length > 0) {
    pc->into_caller = pc->caller_buffer.size() >= length;
    IoBuffer& dest = pc->into_caller ? pc->caller_buffer : pc->target;
    if (!pc->into_caller) dest = IoBuffer::AllocateUninitialized(length, 64);
    pc->payload = ucx_.ReceiveAmData(data, length, param, dest);
  }
  Finish(pc);
}

// ---- Calls ----

Result<Reply> RpcClient::CallOnce(Connection* c, CallArgs& args, TimePoint deadline) {
  if (c->dead_) {
    return Status::Unavailable("connection to " + c->peer_ + " is down: " + c->error_);
  }
  // UCX 1.13 crashes rather than fail on an active-message header larger than
  // its limit, and the server would refuse one beyond max_header anyway.
  const size_t max_header = std::min<size_t>(config_.limits.max_header, ucx_.max_am_header() - kWireHeaderSize);
  if (args.header.size() > max_header) {
    return Status::InvalidArgument(std::string(OpcodeName(args.opcode)) + " to " + c->peer_ + ": operation header of " +
                      std::to_string(args.header.size()) + " bytes exceeds the limit of " +
                      std::to_string(max_header) + " bytes");
  }
  PendingCall pc;
  pc.id = AddPending(&pc);
  pc.opcode = args.opcode;
  pc.conn = c;
  pc.waiter = ex_.current();
  if (args.reply_buffer != nullptr) pc.caller_buffer = std::move(*args.reply_buffer);
  // Whatever happens below, the table entry and the caller's buffer are
  // settled when this frame ends (also when the fiber is unwound).
  struct Guard {
    RpcClient* self;
    PendingCall* pc;
    CallArgs* args;
    ~Guard() {
      self->RemovePending(pc->id);
      self->ucx_.Abandon(pc->payload);
      if (args->reply_buffer != nullptr && !pc->caller_buffer.empty()) {
        *args->reply_buffer = std::move(pc->caller_buffer);
      }
    }
  } guard{this, &pc, &args};

  const WaitOptions wait{deadline, args.cancel};
  UcxOp* op = ucx_.NewOp();
  WireHeader h;
  h.opcode = static_cast<uint8_t>(args.opcode);
  h.flags = args.trace ? kWireFlagTrace : 0;
  h.correlation_id = pc.id;
  h.header_len = static_cast<uint32_t>(args.header.size());
  h.payload_len = static_cast<uint32_t>(args.payload_len);
  op->header.resize(kWireHeaderSize + args.header.size());
  EncodeHeader(h, op->header.data());
  if (!args.header.empty()) {
    std::memcpy(op->header.data() + kWireHeaderSize, args.header.data(), args.header.size());
  }
  if (args.payload_len > 0) op->buffer = std::move(*args.payload);
  // Messages name the call; they are built only when something failed.
  auto what = [&] { return std::string(OpcodeName(args.opcode)) + " to " + c->peer_; };
  Status sent = ucx_.SendAm(c->ep_, kAmRequest, op, args.payload_len, UCP_AM_SEND_FLAG_REPLY | AmSendFlags(config_.protocol),
                            wait, "sending a request", args.payload_len > 0 ? args.payload : nullptr);
  if (!sent.ok()) return Status(sent.code(), what() + ": " + sent.message());

  while (!pc.done) {
    WakeReason why = ex_.Wait(nullptr, wait);
    if (pc.done) break;
    if (why == WakeReason::kNotified) continue;
    if (why == WakeReason::kTimedOut) {
      ++stats_.timeouts;
      return Status::TimedOut(what() + ": no reply before the deadline");
    }
    return Status::Cancelled(what() + " was cancelled");
  }
  if (pc.payload.pending()) {
    IoBuffer& dest = pc.into_caller ? pc.caller_buffer : pc.target;
    Status got = ucx_.AwaitReceive(pc.payload, wait, "receiving a reply payload", &dest);
    if (!got.ok()) return Status(got.code(), what() + ": " + got.message());
  }
  if (!pc.status.ok()) return pc.status;
  Reply reply;
  reply.header = std::move(pc.header);
  reply.payload_len = pc.payload_len;
  if (!pc.into_caller) reply.payload = std::move(pc.target);
  reply.trace = pc.trace;
  return reply;
}

Result<Reply> RpcClient::Call(Connection* c, CallArgs& args) {
  const TimePoint deadline =
      args.deadline == kNoDeadline ? Now() + config_.call_timeout : args.deadline;
  Duration backoff = config_.busy_backoff_min;
  ++stats_.calls;
  for (uint32_t attempt = 0;; ++attempt) {
    const uint64_t waited = c->window_.waited();
    if (!c->window_.Acquire(ex_, {deadline, args.cancel})) {
      ++stats_.failed;
      const std::string what = std::string(OpcodeName(args.opcode)) + " to " + c->peer_;
      if (args.cancel != nullptr && args.cancel->cancelled()) {
        return Status::Cancelled(what + " was cancelled");
      }
      ++stats_.timeouts;
      return Status::TimedOut(what + ": no reply before the deadline (still waiting for one of the " +
                        std::to_string(c->window_.inflight()) +
                        " call slots this client keeps for a server that answered BUSY)");
    }
    if (c->window_.waited() != waited) ++stats_.window_waits;
    const uint64_t seq = ++attempts_;
    Result<Reply> r = CallOnce(c, args, deadline);
    const bool busy = !r.ok() && r.status().code() == StatusCode::kBusy;
    c->window_.Release(ex_,
                       r.ok() ? CallWindow::Outcome::kServed
                              : busy ? CallWindow::Outcome::kBusy : CallWindow::Outcome::kFailed,
                       seq, attempts_);
    if (r.ok()) return r;
    const bool retry = r.status().code() == StatusCode::kBusy && attempt < config_.busy_retries &&
                       Now() + backoff < deadline;
    if (!retry) {
      ++stats_.failed;
      return r;
    }
    ++stats_.busy_retries;
    ex_.SleepFor(backoff);
    backoff = std::min<Duration>(backoff * 2, config_.busy_backoff_max);
  }
}

Status RpcClient::Ping(Connection* c, IoBuffer* payload, size_t len, IoBuffer* reply_buffer,
                       TimePoint deadline) {
  CallArgs args;
  args.opcode = Opcode::kPing;
  args.payload = payload;
  args.payload_len = len;
  args.reply_buffer = reply_buffer;
  args.deadline = deadline;
  auto r = Call(c, args);
  if (!r.ok()) return r.status();
  if (r->payload_len != len) {
    return Status::ProtocolError("ping echoed " + std::to_string(r->payload_len) +
                                                  " bytes, sent " + std::to_string(len));
  }
  return Status();
}

Status RpcClient::Hello(Connection* c, const std::string& token, TimePoint deadline) {
  if (own_address_.empty()) {
    auto a = ucx_.WorkerAddress();
    if (!a.ok()) return a.status();
    own_address_ = std::move(a.value());
  }
  const std::vector<std::byte> header = EncodeHello({token, own_address_, c->peer_failure_detection_});
  CallArgs args;
  args.opcode = Opcode::kHello;
  args.header = header;
  args.deadline = deadline;
  return Call(c, args).status();
}

}  // namespace benchfs

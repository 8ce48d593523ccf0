// SPDX-License-Identifier: BSD-3-Clause
// UcxReactor: the executor's UCX worker. One UCP context (ACTIVE MESSAGES +
// WAKEUP) and one single-threaded worker per executor. As a Poller it calls
// ucp_worker_progress every tick until it returns 0 (capped), and before the
// executor parks it arms the worker so its event fd, watched through the
// ring, wakes the executor when a message arrives.
//
// UCX callbacks never switch fiber stacks: they complete a UcxOp and make its
// fiber ready. A UcxOp owns everything UCX may still read or write (header
// bytes, the payload IoBuffer) until UCX reports completion, so a fiber that
// stops waiting (deadline, cancellation) never frees memory UCX still uses:
// the op is orphaned and released by its completion callback instead.
// Endpoints, active-message sends and rendezvous receives are typed
// operations here, so callers never set up UCX request parameters.
// Transports are UCX's choice; UcxConfig::tls (or UCX_TLS) narrows them.
#pragma once

#include <ucp/api/ucp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/io_buffer.h"
#include "runtime/poller.h"
#include "runtime/status.h"
#include "runtime/wait_options.h"

namespace benchfs {

class Executor;
struct Fiber;

struct UcxConfig {
  // UCX_TLS for this context, e.g. "tcp" or "posix,sysv,self"; empty keeps the
  // environment's UCX_TLS or UCX's default. "shm" is short for "posix,sysv,self".
  std::string tls;
  // UCX_NET_DEVICES for this context; empty keeps the environment/default.
  std::string net_devices;
  // ucp_worker_progress calls per tick at most.
  uint32_t progress_cap = 64;

  Status Validate() const;
  // The UCX_TLS value this config asks for ("shm" expanded).
  std::string EffectiveTls() const;
  // True when only shared-memory / loopback transports are allowed: those
  // cannot report a dead peer in UCX 1.13, so endpoints skip that mode.
  bool SharedMemoryOnly() const;
};

// Applies the settings BenchFS changes from UCX 1.13's defaults, each only
// when the environment does not set it: TCP_PUT_ENABLE=n, because the tcp
// transport's PUT zcopy rendezvous aborts the process (an assertion in
// tcp_ep.c) when the peer dies in the middle of a transfer; rendezvous over
// tcp then runs on active messages; and MM_FIFO_ELEM_SIZE=256 for the
// shared-memory transports (posix, sysv), whose 128-byte FIFO elements carry
// at most 100 bytes inline: BenchFS's 32-byte wire header plus UCP's own would
// push even a 64-byte payload out of the FIFO into a separate buffer (bcopy),
// which costs about 0.2 us per round trip. `tls` is the context's UCX_TLS (empty:
// the environment's or UCX's default); a tcp setting is given only when tcp
// may be among them (UCX warns about a setting no transport takes). Every UCP
// context BenchFS creates uses it.
void ApplyUcxDefaults(ucp_config_t* config, const std::string& tls);

// Routes active messages `id` on `worker` to `cb(arg, ...)` (whole
// messages); a null cb removes the handler. For workers of their own as well
// as the reactor's.
Status SetAmHandler(ucp_worker_h worker, unsigned id, ucp_am_recv_callback_t cb, void* arg);

class UcxReactor;

// One UCX operation a fiber waits for (or that runs detached).
struct UcxOp {
  UcxReactor* owner = nullptr;
  Fiber* waiter = nullptr;
  void* request = nullptr;  // UCX request handle while in progress
  bool done = false;
  bool orphaned = false;    // nobody waits: the completion releases it
  ucs_status_t status = UCS_INPROGRESS;
  size_t length = 0;        // received length (receive operations)
  std::vector<std::byte> header;  // bytes UCX may read until completion
  IoBuffer buffer;                // payload UCX may read or write until completion
  void* am_data = nullptr;        // received message data kept for the send (ucp_am_data_release)
};

// A message payload still arriving by rendezvous (UcxReactor::ReceiveAmData);
// empty when there is none. Ended by AwaitReceive or Abandon.
struct UcxReceive {
  UcxOp* op = nullptr;
  ucs_status_ptr_t request = nullptr;
  bool pending() const { return op != nullptr; }
};

class UcxReactor : public Poller {
 public:
  // Created through Executor::EnableUcx; destroyed by the executor after its
  // fibers are gone.
  static Result<std::unique_ptr<UcxReactor>> Create(Executor& ex, const UcxConfig& config);
  ~UcxReactor() override;
  UcxReactor(const UcxReactor&) = delete;
  UcxReactor& operator=(const UcxReactor&) = delete;

  Executor& executor() { return ex_; }
  ucp_context_h context() const { return context_; }
  ucp_worker_h worker() const { return worker_; }
  const UcxConfig& config() const { return config_; }
  // Largest AM header this worker can send.
  size_t max_am_header() const { return max_am_header_; }
  // The worker's address, for publishing in a registry.
  Result<std::vector<std::byte>> WorkerAddress() const;

  // Poller
  bool Poll() override;
  bool ArmForPark() override;
  int wake_fd() const override { return efd_; }

  // Runs `fn` right after the current progress call (UCX callbacks must not
  // call back into UCX for sends; they defer instead).
  void Defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }

  // Routes active messages `id` to `cb(arg, ...)` (whole messages); a null
  // cb removes the handler.
  Status SetAmHandler(unsigned id, ucp_am_recv_callback_t cb, void* arg);

  // --- Endpoints ---
  // Connects to the worker at `address`. `on_error(arg, ep, status)` hears
  // of the endpoint's failure; with `peer_failure_detection` UCX also watches
  // the peer (UCP_ERR_HANDLING_MODE_PEER). Errors name `what`.
  Result<ucp_ep_h> CreateEndpoint(std::span<const std::byte> address, bool peer_failure_detection,
                                  ucp_err_handler_cb_t on_error, void* arg, std::string_view what);
  // Starts a forced close of `ep`, which finishes on its own.
  void CloseEndpoint(ucp_ep_h ep);
  // From a fiber: a forced close of `ep`, waited for within `w`.
  Status CloseEndpointAndWait(ucp_ep_h ep, const WaitOptions& w);

  // --- Active messages ---
  // An op from NewOp carries an outgoing message: its `header` is the AM
  // header and the first `payload_len` bytes of its `buffer` the payload; UCX
  // reads both until the send completes. `flags` are UCP_AM_SEND_FLAG_*.
  UcxOp* NewOp();
  // Returns an op that was never handed to UCX.
  void ReleaseOp(UcxOp* op);
  // From a fiber: sends active message `id` on `ep` and waits within `w`;
  // the op is released. If the send completed, the payload buffer is handed
  // back in *payload_back when given. If the wait ends first (TIMED_OUT /
  // CANCELLED) the op stays with UCX until the send completes. Errors name
  // `what`.
  Status SendAm(ucp_ep_h ep, unsigned id, UcxOp* op, size_t payload_len, uint32_t flags,
                const WaitOptions& w, std::string_view what, IoBuffer* payload_back = nullptr);
  // Sends active message `id` on `ep` without waiting; the op is released
  // when the send completes. Not from inside a UCX callback (Defer it).
  void PostAm(ucp_ep_h ep, unsigned id, UcxOp* op, size_t payload_len, uint32_t flags = 0);
  // From inside an AM callback: sends active message `id` on `ep` with the
  // op's header and the `len` bytes at `payload`, which may lie in the data
  // `data`/`data_len` of the message being received (`param` describes
  // it). Nothing is copied
  // when UCX sends at once; otherwise the received data is kept until the
  // send completes (when UCX lets it be kept: the result is then
  // UCS_INPROGRESS, which the callback must return) or, as a last resort,
  // copied into the op's buffer. A payload already in op->buffer is sent
  // from there (pass op->buffer.data()). The op is released by the send.
  // Returns UCS_OK or UCS_INPROGRESS for the callback; `*error` gets a
  // failed send's status.
  ucs_status_t SendAmFromCallback(ucp_ep_h ep, unsigned id, UcxOp* op, const std::byte* payload,
                                  size_t len, uint32_t flags, const ucp_am_recv_param_t* param,
                                  void* data, size_t data_len, ucs_status_t* error);
  // From an AM callback: delivers the `length`-byte payload `data` of the
  // message `param` describes to `dest` (at least `length` bytes). An eager
  // payload is copied at once and the result is empty; a rendezvous one is
  // fetched by UCX straight into `dest`, which the returned receive holds
  // until AwaitReceive hands it back.
  UcxReceive ReceiveAmData(void* data, size_t length, const ucp_am_recv_param_t* param, IoBuffer& dest);
  // From a fiber: waits for `r` (if pending) within `w` and empties it; `dest` gets the
  // buffer back if the receive completed. If the wait ends first the op
  // stays with UCX until the receive completes. Errors name `what`.
  Status AwaitReceive(UcxReceive& r, const WaitOptions& w, std::string_view what, IoBuffer* dest);
  // Gives up on `r` (if pending) and empties it: the receive finishes on its
  // own and its op is released then.
  void Abandon(UcxReceive& r);

  // Ops allocated and not yet released (tests check this returns to zero).
  size_t live_ops() const { return live_ops_; }

 private:
  UcxReactor(Executor& ex, const UcxConfig& config) : ex_(ex), config_(config) {}
  Status Init();
  // Parameters for an nbx call whose completion is reported to `op`.
  ucp_request_param_t SendParams(UcxOp* op, uint32_t am_flags = 0);
  ucp_request_param_t RecvParams(UcxOp* op);
  ucs_status_ptr_t StartAmSend(ucp_ep_h ep, unsigned id, UcxOp* op, size_t payload_len, uint32_t flags);
  ucs_status_ptr_t StartClose(ucp_ep_h ep, UcxOp* op);
  // From a fiber: waits for the request an nbx call returned for `op`, then
  // releases the op and returns the received length (receives) or 0. If the
  // operation completed, its payload buffer is moved to *buffer_back when
  // given. If the wait ends first (TIMED_OUT / CANCELLED) the op is handed to
  // UCX and released when UCX completes it. Errors name `what`.
  Result<size_t> Await(UcxOp* op, ucs_status_ptr_t request, const WaitOptions& w,
                       std::string_view what, IoBuffer* buffer_back = nullptr);
  // Lets the operation finish on its own; the op is released on completion.
  void Detach(UcxOp* op, ucs_status_ptr_t request);
  static void OnSend(void* request, ucs_status_t status, void* user_data);
  static void OnRecv(void* request, ucs_status_t status, size_t length, void* user_data);
  void Complete(UcxOp* op, ucs_status_t status, size_t length);
  // Records what an nbx call returned; true if the op is already complete.
  bool Start(UcxOp* op, ucs_status_ptr_t request);
  bool RunDeferred();

  Executor& ex_;
  UcxConfig config_;
  ucp_context_h context_ = nullptr;
  ucp_worker_h worker_ = nullptr;
  int efd_ = -1;
  size_t max_am_header_ = 0;
  bool registered_ = false;

  std::vector<std::unique_ptr<UcxOp>> ops_;  // owns every op ever made
  std::vector<UcxOp*> free_ops_;
  size_t live_ops_ = 0;
  std::vector<std::function<void()>> deferred_;
};

// "UCS_ERR_TIMED_OUT (timed out)" style text for a UCX status.
std::string UcsStatusText(ucs_status_t s);
// Maps a UCX status to a Status with `context` in the message.
Status FromUcs(ucs_status_t s, const std::string& context);

}  // namespace benchfs

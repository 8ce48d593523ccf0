// SPDX-License-Identifier: BSD-3-Clause
// The network floor BenchFS reports: the bare UCX round trip against the
// raw echo every server installs (rpc/raw_ping.h), measured by a client with
// its own UCP context that busy-progresses with no runtime at all.
// `benchfs bench --baseline` measures it against the same server it
// benchmarks; the storage floor beside it is floor/storage_floor.h.
#pragma once

#include <ucp/api/ucp.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "measure/histogram.h"
#include "rpc/raw_ping.h"
#include "runtime/clock.h"
#include "runtime/status.h"

namespace benchfs {

// Busy-progresses `worker` until `request` (from an nbx call) completes.
void WaitBusy(ucp_worker_h worker, ucs_status_ptr_t request);
// A forced close of `ep`, busy-progressing `worker` until it is done.
void CloseBusy(ucp_worker_h worker, ucp_ep_h ep);

// A UCP context and worker of their own (AM only, UCX_TLS per `tls`) for
// code that runs outside any executor; destroyed with the object.
class RawWorker {
 public:
  RawWorker() = default;
  ~RawWorker();
  RawWorker(const RawWorker&) = delete;
  RawWorker& operator=(const RawWorker&) = delete;
  Status Init(const std::string& tls);
  ucp_worker_h worker() const { return worker_; }

 private:
  ucp_context_h context_ = nullptr;
  ucp_worker_h worker_ = nullptr;
};

class RawPingClient {
 public:
  RawPingClient() = default;
  ~RawPingClient();
  RawPingClient(const RawPingClient&) = delete;
  RawPingClient& operator=(const RawPingClient&) = delete;

  // Connects with its own context/worker (UCX_TLS per `tls`) to a worker
  // address if one is given, else to the one the bootstrap listener on
  // host:port hands out. Busy-waits: call outside the
  // event loop.
  Status Connect(const std::string& tls, const std::string& host, uint16_t port,
                 std::span<const std::byte> worker_address, Duration timeout);
  // `count` round trips sending `send_len` bytes and getting `reply_len`
  // back, after `warmup` unmeasured ones; returns their latencies in ns.
  Result<Histogram> Measure(size_t send_len, size_t reply_len, uint64_t warmup, uint64_t count);
  // One round trip.
  Status RoundTrip(size_t send_len, size_t reply_len, TimePoint deadline);
  // Whether a reply's payload is copied into the client's buffer (default);
  // false leaves it unread, as ucx_perftest does.
  void set_copy_reply(bool copy) { copy_reply_ = copy; }

 private:
  RawWorker w_;
  ucp_ep_h ep_ = nullptr;
  std::vector<std::byte> buf_;
  bool got_ = false;
  bool failed_ = false;
  bool copy_reply_ = true;
  size_t got_len_ = 0;
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// RPC and end-to-end points.
#include "sweep/remote_point.h"

#include <algorithm>
#include <cstring>

#include "service/floor_probe.h"
#include "sweep/buffer_stack.h"
#include "sweep/server_side.h"
#include "sweep/sweep_paths.h"

namespace benchfs {
namespace {

std::function<Status(uint64_t)> MakeOp(const SweepPoint& p, const PointSettings& s, FsClient& client,
                                       BufferStack& buffers) {
  const uint32_t files = p.qd;
  switch (p.workload) {
    case Workload::kRpcPing:
      return [&, size = s.ping_size](uint64_t) {
        IoBuffer& out = buffers.Take();
        IoBuffer& in = buffers.Take();
        Status st = client.Ping(0, &out, size, &in);
        buffers.Give(out);
        buffers.Give(in);
        return st;
      };
    case Workload::kE2eWrite:
      return [&, files, size = s.io_size](uint64_t seq) {
        IoBuffer& b = buffers.Take();
        Status st = client.WriteChunk(EndToEndFile(seq % files), 0, 0, b, size);
        buffers.Give(b);
        return st;
      };
    case Workload::kE2eRead:
      return [&, files, size = s.io_size](uint64_t seq) {
        IoBuffer& b = buffers.Take();
        auto n = client.ReadChunk(EndToEndFile(seq % files), 0, 0, b, size);
        Status st = n.status();
        if (st.ok() && *n != size) {
          st = Status::IoError("short read of " + EndToEndFile(seq % files) + ": " +
                                                std::to_string(*n) + " of " + std::to_string(size) + " bytes");
        }
        buffers.Give(b);
        return st;
      };
    case Workload::kE2eCreate:
      return [&](uint64_t seq) { return client.Create(EndToEndCreatePath(seq)).status(); };
    default:
      return [](uint64_t) { return Status::Internal("not a remote workload"); };
  }
}

// A floor block shaped like the point (service/floor_probe.h).
Result<double> PointFloor(const SweepPoint& p, const PointSettings& s, FsClient& client) {
  const std::vector<std::byte>& address = client.connection(0)->worker_address();
  auto probe = FloorProbe::Connect(s.ucx.tls, client.server(0), address, s.rpc.connect_timeout, s.floor_ops, p.qd);
  if (!probe.ok()) return probe.status();
  const WorkloadInfo& w = Info(p.workload);
  const uint64_t size = p.workload == Workload::kRpcPing ? s.ping_size
                        : p.workload == Workload::kE2eCreate ? 0
                                                             : s.io_size;
  return (*probe)->Block(client, std::string(w.op), size);
}

}  // namespace

PointMeasurement RunRemotePoint(const SweepPoint& p, const PointSettings& s) {
  const TimePoint t0 = Now();
  PointMeasurement m;
  auto server = StartServer(p, s);
  if (!server.ok()) {
    m.error = server.status().ToString();
    return m;
  }
  auto ex = Executor::Create(p.knobs);
  if (!ex.ok()) {
    m.error = ex.status().ToString();
    return m;
  }
  auto ucx = (*ex)->EnableUcx(s.ucx);
  if (!ucx.ok()) {
    m.error = ucx.status().ToString();
    return m;
  }
  const PointPlan plan = PlanFor(p, s);
  // A gated call waits for the server's gates: keep its deadline well beyond them.
  RpcClientConfig rpc = s.rpc;
  if (p.knobs.reactor_mode == ReactorMode::kGated) {
    rpc.call_timeout = std::max(rpc.call_timeout, 4 * (p.knobs.submit_timeout + p.knobs.complete_timeout) +
                                                      std::chrono::seconds(5));
  }
  const size_t buf_size = p.workload == Workload::kRpcPing ? s.ping_size : s.io_size;
  (*ex)->Run([&] {
    auto client = FsClient::Connect(**ucx, {(*server)->ref()}, rpc);
    if (!client.ok()) {
      m.error = client.status().ToString();
      return;
    }
    BufferStack buffers([buf_size] {
      IoBuffer b = IoBuffer::Allocate(buf_size == 0 ? 1 : buf_size);
      std::memset(b.data(), 'e', b.size());
      return b;
    });
    const ServerProbe probe = (*server)->Probe(**client);
    const std::string transport = (*client)->connection(0)->Transports();
    // The floor block right before the point (polled points: a gated
    // server's floor is the polled one's; its gates are what it measures).
    std::optional<double> floor;
    std::string floor_error;
    if (s.baseline && p.knobs.reactor_mode == ReactorMode::kPolled) {
      auto f = PointFloor(p, s, **client);
      if (f.ok()) floor = *f;
      if (!f.ok()) floor_error = f.status().ToString();
    }
    std::shared_ptr<Breakdown> breakdown;
    TimePoint op_start{};
    if (s.breakdown && p.workload != Workload::kRpcPing) {
      breakdown = std::make_shared<Breakdown>(true);  // one host, one clock
      (*client)->SetTracer(breakdown.get(), &op_start);
    }
    m = MeasureOps(**ex, plan, p.qd, MakeOp(p, s, **client, buffers), &probe, breakdown ? &op_start : nullptr);
    (*client)->SetTracer(nullptr, nullptr);
    m.transport = transport;
    m.floor_us = floor;
    m.breakdown = breakdown;
    if (!floor_error.empty() && m.error.empty()) m.error = "floor: " + floor_error;
  });
  ex.value().reset();
  server.value().reset();
  m.wall_s = std::chrono::duration<double>(Now() - t0).count();
  return m;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// How every point of a sweep is run: where its data lives, how its servers
// are started, its payload sizes, and how long it warms up and measures.
#pragma once

#include <cstdint>
#include <string>

#include "rpc/rpc_config.h"
#include "runtime/clock.h"
#include "runtime/ucx_reactor.h"
#include "sweep/grid.h"

namespace benchfs {

// Where RPC and end-to-end points find their server.
enum class ServerMode : unsigned char {
  kInProcess,  // an RpcServer (plus FsService and stores) on its own executor thread
  kProcess,    // a benchfsd child started per point with the point's knobs as flags
};
std::string_view ServerModeName(ServerMode m);
Result<ServerMode> ParseServerMode(std::string_view text);  // inprocess | process

struct PointSettings {
  std::string data_dir;            // storage/ and e2e/ are made under it
  ServerMode server = ServerMode::kInProcess;
  std::string benchfsd;            // the daemon binary for kProcess
  bool allow_root = false;         // kProcess: start it with --allow-root
  UcxConfig ucx;
  RpcClientConfig rpc;
  uint64_t io_size = 4096;         // storage and e2e write/read
  uint64_t ping_size = 64;         // rpc-ping payload, echoed
  Duration point_time = std::chrono::seconds(1);        // measured time per point, at least
  uint64_t warmup_ops = 200;       // unmeasured operations first (polled; gated: 2 x qd)
  uint32_t min_ops = 5;            // a gated point measures long enough for this many at qd 1
  Duration max_point_time = std::chrono::seconds(60);   // cap on one point's measured phase
  Duration idle_window = std::chrono::milliseconds(100); // CPU of the idle sides, after measuring
  bool baseline = false;           // a floor block before each polled rpc / e2e point
  uint64_t floor_ops = 1000;       // operations per floor component
  bool breakdown = false;          // trace the calls of rpc / e2e points
};

// A point's plan: warm-up operations and measured duration. Gated points
// whose workload has a timeout floor measure at least
// ceil(min_ops / qd) x floor x 1.1, so a 150 ms floor still gives min_ops
// samples; every point is capped at max_point_time.
struct PointPlan {
  uint64_t warmup_ops = 0;
  Duration measure{0};
  Duration idle{0};
};
PointPlan PlanFor(const SweepPoint& p, const PointSettings& s);

}  // namespace benchfs

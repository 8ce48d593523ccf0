// SPDX-License-Identifier: BSD-3-Clause
// The server side of an RPC or end-to-end point, built with the point's
// knobs (the sweep applies them to both sides, as the seed's system had them
// on both): in process, an RpcServer on its own executor thread - plus, for
// end-to-end points, an FsServer (service/fs_server.h; metadata log on, as
// benchfsd runs, never synced); or a benchfsd child started with the knobs as
// flags.
// Each point gets a fresh server, and its metadata log starts empty.
#pragma once

#include <memory>

#include "service/fs_client.h"
#include "sweep/grid.h"
#include "sweep/measurement.h"
#include "sweep/point_settings.h"

namespace benchfs {

class ServerSide {
 public:
  virtual ~ServerSide() = default;
  // Where the client connects.
  virtual ServerRef ref() const = 0;
  // CPU and parks of this side; `client` (connected to it) may be used for
  // a STATUS call.
  virtual ServerProbe Probe(FsClient& client) = 0;
};

Result<std::unique_ptr<ServerSide>> StartServer(const SweepPoint& p, const PointSettings& s);

}  // namespace benchfs

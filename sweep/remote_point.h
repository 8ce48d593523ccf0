// SPDX-License-Identifier: BSD-3-Clause
// An RPC or end-to-end point: a server built with the point's knobs
// (server_side.h) and a client executor with the same knobs on the calling
// thread, connected through FsClient. rpc-ping sends PINGs with a payload of
// ping_size bytes echoed back; e2e-write / e2e-read move io_size bytes to /
// from one file per operation in flight (prepared beforehand, so no
// measured operation creates a file); e2e-create creates a new path each time.
#pragma once

#include "sweep/grid.h"
#include "sweep/measurement.h"
#include "sweep/point_settings.h"

namespace benchfs {

PointMeasurement RunRemotePoint(const SweepPoint& p, const PointSettings& s);

}  // namespace benchfs

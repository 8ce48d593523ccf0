// SPDX-License-Identifier: BSD-3-Clause
// A storage-only point: 4 KiB ChunkStore writes or reads (backend uring,
// durability none, one 4 MiB chunk prepared beforehand, the offsets of
// benchfs-storage-bench) on an executor built with the point's knobs, on the
// calling thread. No network, so there is one side.
#pragma once

#include "sweep/grid.h"
#include "sweep/measurement.h"
#include "sweep/point_settings.h"

namespace benchfs {

PointMeasurement RunStoragePoint(const SweepPoint& p, const PointSettings& s);

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Data the points read and overwrite, written once before the first point on
// a polled executor with default knobs, so no measured (or gated) operation
// ever creates a file: the storage points' 4 MiB chunk, and one io_size file
// per operation in flight for the end-to-end points.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/status.h"
#include "sweep/point_settings.h"
#include "sweep/workload.h"

namespace benchfs {

Status PrepareSweepData(const PointSettings& s, const std::vector<Workload>& workloads, uint32_t max_qd);

}  // namespace benchfs

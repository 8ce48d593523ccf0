// SPDX-License-Identifier: BSD-3-Clause
// Storage points.
#include "sweep/storage_point.h"

#include <cstring>
#include <functional>
#include <string>

#include "storage/chunk_store.h"
#include "sweep/buffer_stack.h"
#include "sweep/sweep_paths.h"

namespace benchfs {

PointMeasurement RunStoragePoint(const SweepPoint& p, const PointSettings& s) {
  const TimePoint t0 = Now();
  PointMeasurement m;
  auto ex = Executor::Create(p.knobs);
  if (!ex.ok()) {
    m.error = ex.status().ToString();
    return m;
  }
  ChunkStoreOptions o;
  o.backend = ChunkBackendKind::kUring;
  o.durability = DurabilityPolicy::kNone;
  o.chunk_size = kStorageChunkSize;
  o.data_dir = StorageDataDir(s.data_dir);
  auto store = ChunkStore::Open(**ex, o);
  if (!store.ok()) {
    m.error = store.status().ToString();
    return m;
  }
  ChunkStore& cs = **store;
  const bool write = p.workload == Workload::kStorageWrite;
  const PointPlan plan = PlanFor(p, s);
  (*ex)->Run([&] {
    BufferStack buffers([&] {
      IoBuffer b = cs.AcquireBuffer(s.io_size);
      std::memset(b.data(), 'w', b.size());
      return b;
    });
    // Offsets as benchfs-storage-bench walks them; a mask when the chunk
    // holds a power-of-two number of blocks (it does for 4 KiB), so the
    // operation does no division.
    const uint64_t slots = kStorageChunkSize / s.io_size;
    const bool pow2 = (slots & (slots - 1)) == 0;
    auto offset = [&](uint64_t seq) {
      return pow2 ? ((seq * 7919) & (slots - 1)) * s.io_size : StorageOffset(seq, s.io_size);
    };
    const std::string path = kStoragePath;
    std::function<Status(uint64_t)> op;
    if (write) {
      op = [&](uint64_t seq) {
        IoBuffer& b = buffers.Take();
        Status st = cs.Write(path, 0, offset(seq), b, s.io_size);
        buffers.Give(b);
        return st;
      };
    } else {
      op = [&](uint64_t seq) {
        IoBuffer& b = buffers.Take();
        auto n = cs.Read(path, 0, offset(seq), b, s.io_size);
        buffers.Give(b);
        if (!n.ok()) return n.status();
        if (*n != s.io_size) {
          return Status::IoError("short read: " + std::to_string(*n) + " of " + std::to_string(s.io_size) + " bytes");
        }
        return Status();
      };
    }
    m = MeasureOps(**ex, plan, p.qd, op, nullptr);
    // A gated Close() would wait for both gates once per open file; the store
    // holds nothing to flush (durability none), so it is simply destroyed.
    if (p.knobs.reactor_mode == ReactorMode::kPolled) {
      Status s = cs.Close();
      if (!s.ok() && m.error.empty()) m.error = "closing the chunk store: " + s.ToString();
    }
  });
  store.value().reset();
  m.wall_s = std::chrono::duration<double>(Now() - t0).count();
  return m;
}

}  // namespace benchfs

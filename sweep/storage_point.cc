// Storage points.
#include "sweep/storage_point.h"

#include <cstring>

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
    m = MeasureOps(**ex, plan, p.qd, [&](uint64_t seq) {
      IoBuffer& b = buffers.Take();
      Status st;
      if (write) {
        st = cs.Write(kStoragePath, 0, StorageOffset(seq, s.io_size), b, s.io_size);
      } else {
        auto n = cs.Read(kStoragePath, 0, StorageOffset(seq, s.io_size), b, s.io_size);
        st = n.status();
        if (st.ok() && *n != s.io_size) {
          st = Status(StatusCode::kIoError, "short read: " + std::to_string(*n) + " of " +
                                                std::to_string(s.io_size) + " bytes");
        }
      }
      buffers.Give(b);
      return st;
    }, nullptr);
    // A gated Close() would wait for both gates once per open file; the store
    // holds nothing to flush (durability none), so it is simply destroyed.
    if (p.knobs.reactor_mode == ReactorMode::kPolled) cs.Close();
  });
  store.value().reset();
  m.wall_s = std::chrono::duration<double>(Now() - t0).count();
  return m;
}

}  // namespace benchfs

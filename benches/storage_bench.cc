// SPDX-License-Identifier: BSD-3-Clause
// benchfs-storage-bench: the storage layer's costs, each beside the bare
// floor it is judged against, measured in the same run on the same file
// system ($BENCHFS_BENCH_DIR, else $TMPDIR, else /tmp).
//
//   BM_RawUringWrite4kQD1, BM_RawUringRead4kQD1   bare liburing (fixed file, registered
//                                                 buffer, submit + busy peek) on a 4 MiB file
//   BM_ChunkWrite4kQD1/<backend>                  ChunkStore::Write of 4 KiB, backend uring,
//   BM_ChunkRead4kQD1/<backend>                   posix or memory, same offsets in a 4 MiB chunk
//   BM_ChunkWrite4kQD1/uring_fsync                the same with durability = fsync
//   BM_ChunkWrite4kQD1/uring_coop_taskrun,        the uring write on a ring set up with
//   BM_ChunkWrite4kQD1/uring_defer_taskrun        ring_setup = coop_taskrun / single_issuer_defer_taskrun
//   BM_ChunkWrite4kQD32/uring                     32 fibers writing 4 KiB in one 16 MiB chunk,
//                                                 ring_setup = coop_taskrun as fio sets its ring up
//   BM_ChunkWrite4kQD32/uring_ring_none           the same on the default ring (ring_setup = none)
//   BM_MetaCreateLocal                            MetadataStore::Create in memory (no RPC, no log)
//                                                 into a namespace growing to 1M entries (then
//                                                 restarted, untimed)
//   BM_MetaCreateLogged/fsync_qd1, /fsync_qd32    MetadataStore::Create through the log with
//                                                 durability = fsync from 1 or 32 fibers
//                                                 (records of concurrent creates share a write
//                                                 and an fdatasync); counter creates_per_s
//
// Every chunk benchmark's label is the store's Describe(): backend and
// durability policy travel with the figure.
#include <fcntl.h>
#include <liburing.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "runtime/channel.h"
#include "runtime/executor.h"
#include "runtime/semaphore.h"
#include "runtime/uring_reactor.h"
#include "storage/chunk_store.h"
#include "storage/metadata_store.h"

namespace benchfs {
namespace {

constexpr size_t kBlock = 4096;
constexpr uint64_t kChunkSize = 4 << 20;
const std::string kPath = "/bench/file";

// Same offset sequence for the store and the raw floor.
uint64_t OffsetFor(uint64_t i) { return (i * 7919 * kBlock) % kChunkSize; }

std::string BenchRoot() {
  const char* dir = std::getenv("BENCHFS_BENCH_DIR");
  if (dir == nullptr || *dir == '\0') dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir ? dir : "/tmp");
}

// A scratch directory on the bench file system, removed with its contents.
class BenchDir {
 public:
  BenchDir() {
    std::string tmpl = BenchRoot() + "/benchfs-storage-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~BenchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Executor> MakeExecutor(benchmark::State& state, const ExecutorConfig& cfg = {}) {
  auto r = Executor::Create(cfg);
  if (!r.ok()) {
    state.SkipWithError(r.status().ToString().c_str());
    return nullptr;
  }
  return std::move(r.value());
}

std::unique_ptr<ChunkStore> OpenStore(benchmark::State& state, Executor& ex, const BenchDir& dir,
                                      ChunkBackendKind backend, DurabilityPolicy durability,
                                      uint64_t chunk_size = kChunkSize) {
  ChunkStoreOptions o;
  o.backend = backend;
  o.durability = durability;
  o.data_dir = dir.path() + "/data";
  o.chunk_size = chunk_size;
  auto s = ChunkStore::Open(ex, o);
  if (!s.ok()) {
    state.SkipWithError(s.status().ToString().c_str());
    return nullptr;
  }
  state.SetLabel(o.Describe());
  return std::move(s.value());
}

// Writes `chunks` whole chunks of kPath so later I/O overwrites / reads existing blocks.
bool Prefill(ChunkStore& store, uint64_t chunks) {
  IoBuffer buf = IoBuffer::Allocate(1 << 20);
  std::memset(buf.data(), 'b', buf.size());
  for (uint64_t c = 0; c < chunks; ++c) {
    for (uint64_t off = 0; off < store.options().chunk_size; off += buf.size()) {
      if (!store.Write(kPath, c, off, buf, buf.size()).ok()) return false;
    }
  }
  return true;
}

// ---- Bare liburing floors ----

struct RawFile {
  BenchDir dir;
  int fd = -1;
  RawFile() {
    if (dir.path().empty()) return;
    fd = ::open((dir.path() + "/raw").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    // Filled like the store's chunk (Prefill): 1 MiB writes.
    std::vector<char> data(1 << 20, 'b');
    for (uint64_t off = 0; fd >= 0 && off < kChunkSize; off += data.size()) {
      if (::pwrite(fd, data.data(), data.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(data.size())) {
        ::close(fd);
        fd = -1;
      }
    }
  }
  ~RawFile() {
    if (fd >= 0) ::close(fd);
  }
};

void RawUring(benchmark::State& state, bool write) {
  RawFile file;
  io_uring ring;
  if (file.fd < 0 || io_uring_queue_init(256, &ring, 0) < 0) {
    state.SkipWithError("setup failed");
    return;
  }
  void* buf = std::aligned_alloc(kBlock, kBlock);
  std::memset(buf, 'r', kBlock);
  iovec iov{buf, kBlock};
  if (io_uring_register_buffers(&ring, &iov, 1) < 0 || io_uring_register_files(&ring, &file.fd, 1) < 0) {
    state.SkipWithError("registering the buffer or file failed");
  }
  uint64_t i = 0;
  for (auto _ : state) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (write) {
      io_uring_prep_write_fixed(sqe, 0, buf, kBlock, OffsetFor(i++), 0);
    } else {
      io_uring_prep_read_fixed(sqe, 0, buf, kBlock, OffsetFor(i++), 0);
    }
    sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_submit(&ring);
    io_uring_cqe* cqe;
    while (io_uring_peek_cqe(&ring, &cqe) != 0) {
    }
    if (cqe->res != static_cast<int>(kBlock)) state.SkipWithError("short or failed I/O");
    io_uring_cqe_seen(&ring, cqe);
  }
  io_uring_queue_exit(&ring);
  std::free(buf);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

void BM_RawUringWrite4kQD1(benchmark::State& state) { RawUring(state, true); }
void BM_RawUringRead4kQD1(benchmark::State& state) { RawUring(state, false); }

// ---- Chunk store ----

void ChunkQD1(benchmark::State& state, ChunkBackendKind backend, DurabilityPolicy durability, bool write,
              const ExecutorConfig& cfg = {}) {
  BenchDir dir;
  auto ex = MakeExecutor(state, cfg);
  if (!ex) return;
  std::unique_ptr<ChunkStore> store = OpenStore(state, *ex, dir, backend, durability);
  if (!store) return;
  if (cfg.ring_setup != RingSetup::kNone) {
    state.SetLabel(store->Describe() + " ring_setup=" + std::string(RingSetupName(cfg.ring_setup)));
  }
  ex->Run([&] {
    if (!Prefill(*store, 1)) {
      state.SkipWithError("prefill failed");
      return;
    }
    IoBuffer buf = store->AcquireBuffer(kBlock);  // registered when the backend is uring
    std::memset(buf.data(), 'w', kBlock);
    uint64_t i = 0;
    if (write) {
      for (auto _ : state) {
        Status s = store->Write(kPath, 0, OffsetFor(i++), buf, kBlock);
        if (!s.ok()) state.SkipWithError(s.ToString().c_str());
      }
    } else {
      for (auto _ : state) {
        auto r = store->Read(kPath, 0, OffsetFor(i++), buf, kBlock);
        if (!r.ok() || *r != kBlock) state.SkipWithError("read failed");
      }
    }
    buf.Reset();
    if (!store->Close().ok()) state.SkipWithError("closing the store failed");
  });
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

void BM_ChunkWrite4kQD1_Uring(benchmark::State& s) { ChunkQD1(s, ChunkBackendKind::kUring, DurabilityPolicy::kNone, true); }
void BM_ChunkWrite4kQD1_Posix(benchmark::State& s) { ChunkQD1(s, ChunkBackendKind::kPosix, DurabilityPolicy::kNone, true); }
void BM_ChunkWrite4kQD1_Memory(benchmark::State& s) { ChunkQD1(s, ChunkBackendKind::kMemory, DurabilityPolicy::kNone, true); }
void BM_ChunkWrite4kQD1_UringFsync(benchmark::State& s) { ChunkQD1(s, ChunkBackendKind::kUring, DurabilityPolicy::kFsync, true); }
// The QD1 write on the other ring set-ups (on ext4 the write completes in an
// io-wq worker; these change how its completion reaches the executor).
void ChunkWriteQD1Ring(benchmark::State& s, RingSetup setup) {
  ExecutorConfig cfg;
  cfg.ring_setup = setup;
  ChunkQD1(s, ChunkBackendKind::kUring, DurabilityPolicy::kNone, true, cfg);
}
void BM_ChunkWrite4kQD1_UringCoop(benchmark::State& s) { ChunkWriteQD1Ring(s, RingSetup::kCoopTaskrun); }
void BM_ChunkWrite4kQD1_UringDefer(benchmark::State& s) {
  ChunkWriteQD1Ring(s, RingSetup::kSingleIssuerDeferTaskrun);
}
void BM_ChunkRead4kQD1_Uring(benchmark::State& s) { ChunkQD1(s, ChunkBackendKind::kUring, DurabilityPolicy::kNone, false); }
void BM_ChunkRead4kQD1_Posix(benchmark::State& s) { ChunkQD1(s, ChunkBackendKind::kPosix, DurabilityPolicy::kNone, false); }
void BM_ChunkRead4kQD1_Memory(benchmark::State& s) { ChunkQD1(s, ChunkBackendKind::kMemory, DurabilityPolicy::kNone, false); }

// 32 writer fibers fed through a channel; a semaphore keeps exactly 32 writes
// in flight while the benchmark loop issues them. One 16 MiB chunk: the same
// single 16 MiB file fio writes in the comparison (io-wq serialises buffered
// writes per inode, so the file count matters).
void ChunkWrite4kQD32(benchmark::State& state, const ExecutorConfig& cfg) {
  constexpr int kDepth = 32;
  constexpr uint64_t kFileSize = 16 << 20;
  BenchDir dir;
  auto ex = MakeExecutor(state, cfg);
  if (!ex) return;
  std::unique_ptr<ChunkStore> store =
      OpenStore(state, *ex, dir, ChunkBackendKind::kUring, DurabilityPolicy::kNone, kFileSize);
  if (!store) return;
  state.SetLabel(store->Describe() + " ring_setup=" + std::string(RingSetupName(cfg.ring_setup)));
  double wall_s = 0;
  ex->Run([&] {
    if (!Prefill(*store, 1)) {
      state.SkipWithError("prefill failed");
      return;
    }
    Semaphore slots(*ex, kDepth);
    Channel<uint64_t> ops(*ex, kDepth);
    std::vector<FiberHandle> workers;
    bool failed = false;
    for (int w = 0; w < kDepth; ++w) {
      workers.push_back(ex->Spawn([&] {
        IoBuffer buf = store->AcquireBuffer(kBlock);
        std::memset(buf.data(), 'q', kBlock);
        while (auto op = ops.Recv()) {
          if (!store->Write(kPath, 0, (*op * 7919 * kBlock) % kFileSize, buf, kBlock).ok()) failed = true;
          slots.Release();
        }
      }));
    }
    uint64_t i = 0;
    const TimePoint t0 = Now();
    for (auto _ : state) {
      slots.Acquire();
      if (!ops.Send(i++).ok()) break;  // closed only after this loop
    }
    ops.Close();
    for (auto& h : workers) ex->Join(h);
    wall_s = std::chrono::duration<double>(Now() - t0).count();
    if (failed) state.SkipWithError("a write failed");
    if (!store->Close().ok()) state.SkipWithError("closing the store failed");
  });
  // Wall-clock IOPS (Google Benchmark's rates divide by CPU time).
  state.counters["iops"] = wall_s > 0 ? static_cast<double>(state.iterations()) / wall_s : 0;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

// The ring is set up as fio's io_uring engine sets up its own
// (IORING_SETUP_COOP_TASKRUN): on ext4 buffered writes complete in io-wq
// threads, and without COOP_TASKRUN each completion interrupts the executor
// thread to run its task work.
void BM_ChunkWrite4kQD32(benchmark::State& state) {
  ExecutorConfig cfg;
  cfg.ring_setup = RingSetup::kCoopTaskrun;
  ChunkWrite4kQD32(state, cfg);
}

// The same on the executor's default ring (ring_setup = none), for comparison.
void BM_ChunkWrite4kQD32RingNone(benchmark::State& state) { ChunkWrite4kQD32(state, ExecutorConfig{}); }

// ---- Metadata ----

void BM_MetaCreateLocal(benchmark::State& state) {
  auto ex = MakeExecutor(state);
  if (!ex) return;
  auto open = [&] { return MetadataStore::Open(*ex, MetadataStoreOptions{}); };
  auto m = open();
  if (!m.ok()) {
    state.SkipWithError(m.status().ToString().c_str());
    return;
  }
  ex->Run([&] {
    std::string name = "/bench/meta/f0000000000";
    const size_t digits = name.size() - 10;
    uint64_t i = 0;
    for (auto _ : state) {
      uint64_t v = i++;
      for (size_t d = name.size(); d > digits; --d, v /= 10) name[d - 1] = static_cast<char>('0' + v % 10);
      if (!(*m)->Create(name, InodeType::kFile, 0644).ok()) state.SkipWithError("create failed");
      if ((i & ((1u << 20) - 1)) == 0) {  // a namespace of up to 1M entries, then start over
        state.PauseTiming();
        m = open();
        state.ResumeTiming();
      }
    }
  });
}

// Creates through the metadata log with durability = fsync, from `depth`
// fibers: the log writes and syncs everything staged while the previous
// batch was in flight as one batch, so creates per second grow with depth.
void MetaCreateLogged(benchmark::State& state, int depth) {
  BenchDir dir;
  auto ex = MakeExecutor(state);
  if (!ex) return;
  MetadataStoreOptions o;
  o.log_path = dir.path() + "/meta.log";
  o.durability = DurabilityPolicy::kFsync;
  auto m = MetadataStore::Open(*ex, o);
  if (!m.ok()) {
    state.SkipWithError(m.status().ToString().c_str());
    return;
  }
  state.SetLabel("durability=fsync depth=" + std::to_string(depth));
  double wall_s = 0;
  ex->Run([&] {
    Semaphore slots(*ex, depth);
    Channel<uint64_t> ops(*ex, depth);
    std::vector<FiberHandle> workers;
    bool failed = false;
    for (int w = 0; w < depth; ++w) {
      workers.push_back(ex->Spawn([&] {
        while (auto op = ops.Recv()) {
          if (!(*m)->Create("/bench/log/f" + std::to_string(*op), InodeType::kFile, 0644).ok()) failed = true;
          slots.Release();
        }
      }));
    }
    uint64_t i = 0;
    const TimePoint t0 = Now();
    for (auto _ : state) {
      slots.Acquire();
      if (!ops.Send(i++).ok()) break;
    }
    ops.Close();
    for (auto& h : workers) ex->Join(h);
    wall_s = std::chrono::duration<double>(Now() - t0).count();
    if (failed) state.SkipWithError("a create failed");
    if (!(*m)->Close().ok()) state.SkipWithError("closing the metadata store failed");
  });
  state.counters["creates_per_s"] = wall_s > 0 ? static_cast<double>(state.iterations()) / wall_s : 0;
}

void BM_MetaCreateLoggedQD1(benchmark::State& state) { MetaCreateLogged(state, 1); }
void BM_MetaCreateLoggedQD32(benchmark::State& state) { MetaCreateLogged(state, 32); }

}  // namespace
}  // namespace benchfs

BENCHMARK(benchfs::BM_RawUringWrite4kQD1)->Name("BM_RawUringWrite4kQD1");
BENCHMARK(benchfs::BM_ChunkWrite4kQD1_Uring)->Name("BM_ChunkWrite4kQD1/uring");
BENCHMARK(benchfs::BM_ChunkWrite4kQD1_Posix)->Name("BM_ChunkWrite4kQD1/posix");
BENCHMARK(benchfs::BM_ChunkWrite4kQD1_Memory)->Name("BM_ChunkWrite4kQD1/memory");
BENCHMARK(benchfs::BM_ChunkWrite4kQD1_UringFsync)->Name("BM_ChunkWrite4kQD1/uring_fsync");
BENCHMARK(benchfs::BM_ChunkWrite4kQD1_UringCoop)->Name("BM_ChunkWrite4kQD1/uring_coop_taskrun");
BENCHMARK(benchfs::BM_ChunkWrite4kQD1_UringDefer)->Name("BM_ChunkWrite4kQD1/uring_defer_taskrun");
BENCHMARK(benchfs::BM_RawUringRead4kQD1)->Name("BM_RawUringRead4kQD1");
BENCHMARK(benchfs::BM_ChunkRead4kQD1_Uring)->Name("BM_ChunkRead4kQD1/uring");
BENCHMARK(benchfs::BM_ChunkRead4kQD1_Posix)->Name("BM_ChunkRead4kQD1/posix");
BENCHMARK(benchfs::BM_ChunkRead4kQD1_Memory)->Name("BM_ChunkRead4kQD1/memory");
BENCHMARK(benchfs::BM_ChunkWrite4kQD32)->Name("BM_ChunkWrite4kQD32/uring");
BENCHMARK(benchfs::BM_ChunkWrite4kQD32RingNone)->Name("BM_ChunkWrite4kQD32/uring_ring_none");
BENCHMARK(benchfs::BM_MetaCreateLocal)->Name("BM_MetaCreateLocal");
BENCHMARK(benchfs::BM_MetaCreateLoggedQD1)->Name("BM_MetaCreateLogged/fsync_qd1")->UseRealTime();
BENCHMARK(benchfs::BM_MetaCreateLoggedQD32)->Name("BM_MetaCreateLogged/fsync_qd32")->UseRealTime();

BENCHMARK_MAIN();

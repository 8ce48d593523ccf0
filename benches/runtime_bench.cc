// SPDX-License-Identifier: BSD-3-Clause
// benchfs-runtime-bench: the runtime's costs, each beside the bare floor it
// is judged against, measured in the same run.
//
//   BM_FiberSwitch                          fiber -> fiber hand-off through the scheduler
//   BM_SpawnJoin                            spawn an empty fiber and join it
//   BM_NopQD1/raw                           bare liburing NOP: submit + busy peek
//   BM_NopQD1/executor                      the same NOP from a fiber (polled mode)
//   BM_NopQD1/executor_timeouts_50ms_100ms  ... with the seed's timeout values
//   BM_Read4kQD1/raw, BM_Read4kQD1/executor 4 KiB page-cache reads at QD1
//   BM_IdleCpu/park                         CPU used by an idle executor that parks
#include <fcntl.h>
#include <liburing.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "runtime/executor.h"
#include "runtime/uring_reactor.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

constexpr size_t kFileSize = 16 << 20;
constexpr size_t kBlock = 4096;

std::unique_ptr<Executor> MakeExecutor(benchmark::State& state, const ExecutorConfig& cfg = {}) {
  auto r = Executor::Create(cfg);
  if (!r.ok()) {
    state.SkipWithError(r.status().ToString().c_str());
    return nullptr;
  }
  return std::move(r.value());
}

// A page-cache resident file for the read benchmarks, removed at exit.
class BenchFile {
 public:
  BenchFile() {
    const char* dir = std::getenv("BENCHFS_BENCH_DIR");
    if (dir == nullptr) dir = std::getenv("TMPDIR");
    path_ = std::string(dir != nullptr ? dir : "/tmp") + "/benchfs-bench-XXXXXX";
    fd_ = mkstemp(path_.data());
    if (fd_ < 0) return;
    std::vector<char> data(kFileSize, 'b');
    if (::pwrite(fd_, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size()) ||
        ::pread(fd_, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~BenchFile() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  std::string path_;
  int fd_ = -1;
};

BenchFile& File() {
  static BenchFile file;
  return file;
}

uint64_t OffsetFor(uint64_t i) { return (i * 7919 * kBlock) % kFileSize; }

void BM_FiberSwitch(benchmark::State& state) {
  auto ex = MakeExecutor(state);
  if (!ex) return;
  ex->Run([&] {
    bool stop = false;
    FiberHandle partner = ex->Spawn([&] {
      while (!stop) ex->Yield();
    });
    for (auto _ : state) ex->Yield();  // main -> partner -> main: two switches
    stop = true;
    ex->Join(partner);
  });
  state.counters["ns_per_switch"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * 2, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_SpawnJoin(benchmark::State& state) {
  auto ex = MakeExecutor(state);
  if (!ex) return;
  ex->Run([&] {
    for (auto _ : state) ex->Join(ex->Spawn([] {}));
  });
}

void BM_NopRaw(benchmark::State& state) {
  io_uring ring;
  if (io_uring_queue_init(256, &ring, 0) < 0) {
    state.SkipWithError("io_uring_queue_init failed");
    return;
  }
  (void)io_uring_register_ring_fd(&ring);  // as the executor's ring does
  for (auto _ : state) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    io_uring_submit(&ring);
    io_uring_cqe* cqe;
    while (io_uring_peek_cqe(&ring, &cqe) != 0) {
    }
    io_uring_cqe_seen(&ring, cqe);
  }
  io_uring_queue_exit(&ring);
}

void NopExecutor(benchmark::State& state, const ExecutorConfig& cfg) {
  auto ex = MakeExecutor(state, cfg);
  if (!ex) return;
  ex->Run([&] {
    for (auto _ : state) {
      if (!ex->uring().Nop().ok()) state.SkipWithError("nop failed");
    }
  });
}

void BM_NopExecutor(benchmark::State& state) { NopExecutor(state, ExecutorConfig{}); }

void BM_NopExecutorSeedTimeouts(benchmark::State& state) {
  ExecutorConfig cfg;
  cfg.submit_timeout = 50ms;
  cfg.complete_timeout = 100ms;
  NopExecutor(state, cfg);
}

void BM_Read4kRaw(benchmark::State& state) {
  const int fd = File().fd();
  io_uring ring;
  if (fd < 0 || io_uring_queue_init(256, &ring, 0) < 0) {
    state.SkipWithError("setup failed");
    return;
  }
  (void)io_uring_register_ring_fd(&ring);  // as the executor's ring does
  void* buf = std::aligned_alloc(kBlock, kBlock);
  uint64_t i = 0;
  for (auto _ : state) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fd, buf, kBlock, OffsetFor(i++));
    io_uring_submit(&ring);
    io_uring_cqe* cqe;
    while (io_uring_peek_cqe(&ring, &cqe) != 0) {
    }
    if (cqe->res != static_cast<int>(kBlock)) state.SkipWithError("short read");
    io_uring_cqe_seen(&ring, cqe);
  }
  std::free(buf);
  io_uring_queue_exit(&ring);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

void BM_Read4kExecutor(benchmark::State& state) {
  const int fd = File().fd();
  auto ex = MakeExecutor(state);
  if (!ex || fd < 0) return;
  ex->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(kBlock);
    uint64_t i = 0;
    for (auto _ : state) {
      auto r = ex->uring().Read(fd, buf, kBlock, OffsetFor(i++));
      if (!r.ok() || *r != kBlock) state.SkipWithError("read failed");
    }
  });
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

double ThreadCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// An executor with nothing to do for one second, parking enabled (defaults).
void BM_IdleCpu(benchmark::State& state) {
  auto ex = MakeExecutor(state);
  if (!ex) return;
  double cpu = 0;
  double wall = 0;
  for (auto _ : state) {
    const double cpu0 = ThreadCpuSeconds();
    const TimePoint t0 = Now();
    ex->Run([&] { ex->SleepFor(1s); });
    cpu += ThreadCpuSeconds() - cpu0;
    wall += std::chrono::duration<double>(Now() - t0).count();
  }
  state.counters["cpu_percent"] = 100.0 * cpu / wall;
  state.counters["parks"] = static_cast<double>(ex->stats().parks);
}

}  // namespace
}  // namespace benchfs

BENCHMARK(benchfs::BM_FiberSwitch)->Name("BM_FiberSwitch");
BENCHMARK(benchfs::BM_SpawnJoin)->Name("BM_SpawnJoin");
BENCHMARK(benchfs::BM_NopRaw)->Name("BM_NopQD1/raw");
BENCHMARK(benchfs::BM_NopExecutor)->Name("BM_NopQD1/executor");
BENCHMARK(benchfs::BM_NopExecutorSeedTimeouts)->Name("BM_NopQD1/executor_timeouts_50ms_100ms");
BENCHMARK(benchfs::BM_Read4kRaw)->Name("BM_Read4kQD1/raw");
BENCHMARK(benchfs::BM_Read4kExecutor)->Name("BM_Read4kQD1/executor");
BENCHMARK(benchfs::BM_IdleCpu)->Name("BM_IdleCpu/park")->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

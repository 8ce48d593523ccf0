// SPDX-License-Identifier: BSD-3-Clause
// What a libbenchfs call costs the caller before any RPC: Driver::Call of an
// empty body (the caller takes the executor, spawns the call as a fiber,
// drives one tick and gives the executor back) and Driver::TryInline (the
// same without a fiber). The difference between a library call and the RPC
// it makes is this plus argument checks.
#include <benchmark/benchmark.h>

#include "libbenchfs/driver.h"

namespace benchfs::capi {
namespace {

// An any_thread executor, or null with the benchmark marked skipped.
std::unique_ptr<Executor> AnyThreadExecutor(benchmark::State& state) {
  ExecutorConfig cfg;
  cfg.any_thread = true;
  auto ex = Executor::Create(cfg);
  if (ex.ok()) return std::move(ex.value());
  state.SkipWithError(("cannot build an executor: " + ex.status().ToString()).c_str());
  return nullptr;
}

void BM_DriverCallEmpty(benchmark::State& state) {
  auto ex = AnyThreadExecutor(state);
  if (!ex) return;
  Driver d(*ex, std::chrono::milliseconds(100));
  int n = 0;
  for (auto _ : state) {
    Completion done;
    d.Call(
        [&] {
          ++n;
          done.Signal();
        },
        done);
  }
  benchmark::DoNotOptimize(n);
  state.counters["ns_per_call"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_DriverCallEmpty);

void BM_DriverInline(benchmark::State& state) {
  auto ex = AnyThreadExecutor(state);
  if (!ex) return;
  Driver d(*ex, std::chrono::milliseconds(100));
  int n = 0;
  for (auto _ : state) {
    d.TryInline([&] {
      ++n;
      return true;
    });
  }
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_DriverInline);

}  // namespace
}  // namespace benchfs::capi

BENCHMARK_MAIN();

// SPDX-License-Identifier: BSD-3-Clause
// Where an executor is put together with its reactors: Executor::Create makes
// the io_uring reactor its backend, EnableUcx adds the UCX worker. This is the
// one file that knows the concrete reactors; the loop (executor.cc) knows only
// ReactorBackend and Poller, so the reactors may depend on the executor
// without a cycle.
#include <utility>

#include "runtime/executor.h"
#include "runtime/ucx_reactor.h"
#include "runtime/uring_reactor.h"

namespace benchfs {

Result<std::unique_ptr<Executor>> Executor::Create(const ExecutorConfig& config) {
  Status s = config.Validate();
  if (!s.ok()) return s;
  std::unique_ptr<Executor> ex(new Executor(config));
  auto r = UringReactor::Create(*ex, ex->config_);
  if (!r.ok()) return r.status();
  ex->uring_ = r.value().get();
  ex->backend_ = std::move(r.value());
  return ex;
}

Result<UcxReactor*> Executor::EnableUcx(const UcxConfig& config) {
  if (ucx_ != nullptr) return ucx_;
  auto r = UcxReactor::Create(*this, config);
  if (!r.ok()) return r.status();
  ucx_ = r.value().get();
  ucx_owner_ = std::move(r.value());
  return ucx_;
}

}  // namespace benchfs

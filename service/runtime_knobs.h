// The runtime's knobs (executor/io_uring reactor and UCX) declared on a Knobs
// table, shared by benchfsd and benchfs so both take the same names.
#pragma once

#include "runtime/executor_config.h"
#include "runtime/ucx_reactor.h"
#include "service/knobs.h"

namespace benchfs {

// reactor.* keys, --reactor-mode, --submit-timeout, --complete-timeout, ...
void AddExecutorKnobs(Knobs& knobs, ExecutorConfig* config);
// ucx.* keys, --ucx-tls, --ucx-net-devices.
void AddUcxKnobs(Knobs& knobs, UcxConfig* config);

}  // namespace benchfs

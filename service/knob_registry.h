// SPDX-License-Identifier: BSD-3-Clause
// The knob registry: every setting of benchfsd and benchfs, declared once on a
// Knobs table (service/knobs.h) with its TOML key, flag, help, allowed values
// and the configuration field it sets. The programs' flags and TOML files,
// --print-config, the manifest's reactor section, the flags the sweep hands a
// child benchfsd and the knob table in docs/configuration.md all come from
// these declarations. Every key has a flag.
#pragma once

#include "runtime/executor_config.h"
#include "runtime/ucx_reactor.h"
#include "service/client_options.h"
#include "service/daemon.h"
#include "service/knobs.h"

namespace benchfs {

// reactor.* keys: --reactor-mode, --submit-timeout, --complete-timeout, ...
void AddExecutorKnobs(Knobs& knobs, ExecutorConfig* config);
// ucx.* keys: --ucx-tls, --ucx-net-devices, --ucx-progress-cap.
void AddUcxKnobs(Knobs& knobs, UcxConfig* config);
// benchfsd: server.* and storage.* keys, then the executor's and UCX's.
void AddDaemonKnobs(Knobs& knobs, DaemonConfig* config);
// benchfs: the executor's and UCX's keys, then client.* keys.
void AddClientKnobs(Knobs& knobs, ClientOptions* options);

// benchfsd's flags that give a child daemon these executor and UCX settings.
std::vector<std::string> DaemonKnobFlags(const ExecutorConfig& executor, const UcxConfig& ucx);
// The reactor section of a result manifest: ("mode", "polled"), ...
std::vector<std::pair<std::string, std::string>> ReactorManifest(const ExecutorConfig& executor);

}  // namespace benchfs

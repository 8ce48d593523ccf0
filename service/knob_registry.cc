// SPDX-License-Identifier: BSD-3-Clause
// The declarations of every knob of benchfsd and benchfs.
#include "service/knob_registry.h"

#include <type_traits>

namespace benchfs {

void AddExecutorKnobs(Knobs& k, ExecutorConfig* c) {
  k.AddChoice("reactor.mode", "--reactor-mode",
              "polled (default: timeouts bound batching and parking, never latency) or gated "
              "(the legacy semantics that reproduce the 150 ms bug)",
              "polled, gated", ParseReactorMode, ReactorModeName, &c->reactor_mode);
  k.AddDuration("reactor.submit_timeout", "--submit-timeout",
                "longest an SQE waits unsubmitted to form a batch (only while fibers are runnable)",
                &c->submit_timeout);
  k.AddDuration("reactor.complete_timeout", "--complete-timeout",
                "longest single park in the kernel when idle; 0 = busy-poll", &c->complete_timeout);
  k.AddUint32("reactor.submit_batch", "--submit-batch", "SQEs that end a batching wait early", 1,
              kMaxRingEntries, &c->submit_batch);
  k.AddDuration("reactor.idle_spin", "--idle-spin", "busy-poll this long before parking",
                &c->idle_spin);
  k.AddDuration("reactor.task_quota", "--task-quota", "time budget for running fibers per tick",
                &c->task_quota);
  k.AddUint32("reactor.ring_entries", "--ring-entries", "io_uring SQ entries", 1, kMaxRingEntries,
              &c->ring_entries);
  k.AddChoice("reactor.ring_setup", "--ring-setup", "none, coop_taskrun, single_issuer_defer_taskrun or sqpoll",
              "none, coop_taskrun, single_issuer_defer_taskrun, sqpoll", ParseRingSetup, RingSetupName,
              &c->ring_setup);
  k.AddUint32("reactor.sqpoll_idle_ms", "--sqpoll-idle-ms", "SQPOLL thread idle time in ms", 1, 60000,
              &c->sqpoll_idle_ms);
  k.AddUint32("reactor.fixed_files", "--fixed-files", "registered file table size", 0, 1u << 16,
              &c->fixed_files);
  k.AddUint32("reactor.io_workers", "--io-workers",
              "most kernel io-wq threads per kind for I/O that cannot complete inline (0 = kernel default)", 0,
              1024, &c->io_workers);
  static_assert(std::is_same_v<decltype(c->stack_size), uint64_t>);
  k.AddSize("reactor.stack_size", "--stack-size", "usable bytes per fiber stack", &c->stack_size);
}

void AddUcxKnobs(Knobs& k, UcxConfig* c) {
  k.AddString("ucx.tls", "--ucx-tls",
              "UCX transports (UCX_TLS), e.g. tcp or shm; empty = UCX_TLS or UCX's choice", &c->tls);
  k.AddString("ucx.net_devices", "--ucx-net-devices",
              "UCX network devices (UCX_NET_DEVICES); empty = environment/default", &c->net_devices);
  k.AddUint32("ucx.progress_cap", "--ucx-progress-cap", "ucp_worker_progress calls per tick at most", 1,
              1u << 20, &c->progress_cap);
}

void AddDaemonKnobs(Knobs& k, DaemonConfig* c) {
  k.AddString("server.listen", "--listen", "address to listen on (host:port; \"\" = registry only)", &c->listen);
  k.AddString("server.registry_dir", "--registry-dir", "publish the worker address in this directory",
              &c->registry_dir);
  k.AddString("server.registry_name", "--registry-name", "name of the registry entry (default host-port)",
              &c->registry_name);
  k.AddUint32("server.max_inflight", "--max-inflight", "requests in flight before answering BUSY", 1, 1u << 20,
              &c->rpc.max_inflight);
  k.AddUint32("server.max_inflight_per_conn", "--max-inflight-per-conn",
              "per-connection share of max_inflight (0 = all)", 0, 1u << 20, &c->rpc.max_inflight_per_conn);
  k.AddChoice("server.protocol", "--protocol", "reply payloads: auto, eager or rndv", "auto, eager, rndv",
              ParseDataProtocol, DataProtocolName, &c->rpc.protocol);
  k.AddString("server.pid_file", "--pid-file", "write the daemon's pid here", &c->pid_file);
  k.AddString("server.perf_log", "--perf-log", "append a CSV row of counters here every second", &c->perf_log);
  k.AddString("server.token_file", "--token-file",
              "require clients to present the token in this file (mode 0600) in a HELLO first", &c->token_file);
  k.AddString("server.log_level", "--log-level", "trace, debug, info, warn, error or off", &c->log_level);
  k.AddDuration("server.drain_timeout", "--drain-timeout", "how long shutdown waits for requests in flight",
                &c->drain_timeout);
  k.AddString("storage.data_dir", "--data-dir", "directory for chunks and the metadata log", &c->chunks.data_dir);
  k.AddChoice("storage.backend", "--backend", "uring, posix or memory", "uring, posix, memory", ParseChunkBackend,
              ChunkBackendName, &c->chunks.backend);
  k.AddSize("storage.chunk_size", "--chunk-size", "bytes per chunk", 4096, 1ull << 30, &c->chunks.chunk_size);
  k.AddChoice("storage.durability", "--durability", "none, fsync, close or group", "none, fsync, close, group",
              ParseDurabilityPolicy, DurabilityPolicyName, &c->chunks.durability);
  k.AddDuration("storage.group_interval", "--group-interval", "durability=group: time between batched syncs",
                &c->chunks.group_interval);
  k.AddBool("storage.direct_io", "--direct-io", "O_DIRECT for aligned chunk I/O", &c->chunks.direct_io);
  k.AddBool("storage.metadata_log", "--metadata-log", "persist metadata in an append-only log", &c->metadata_log);
  k.AddUint32("storage.max_open_files", "--max-open-files", "chunk files kept open", 1, 1u << 20,
              &c->chunks.max_open_files);
  k.AddUint32("storage.resolved_chunks", "--resolved-chunks",
              "chunks kept resolved (path checked, owner known, file open) for one-lookup I/O; 0 = off", 0, 65536,
              &c->chunks.resolved_chunks);
  k.AddUint32("storage.registered_buffers", "--registered-buffers", "io_uring registered buffers", 0, 16384,
              &c->chunks.registered_buffers);
  static_assert(std::is_same_v<decltype(c->chunks.registered_buffer_size), uint64_t>);
  k.AddSize("storage.registered_buffer_size", "--registered-buffer-size", "bytes per registered buffer",
            &c->chunks.registered_buffer_size);
  k.AddSize("storage.memory_limit", "--memory-limit", "backend=memory: most bytes held", 1 << 20, 1ull << 40,
            &c->chunks.memory_limit);
  AddExecutorKnobs(k, &c->executor);
  AddUcxKnobs(k, &c->ucx);
}

void AddClientKnobs(Knobs& k, ClientOptions* o) {
  AddExecutorKnobs(k, &o->executor);
  AddUcxKnobs(k, &o->ucx);
  k.AddDuration("client.timeout", "--timeout", "deadline of each call", &o->rpc.call_timeout);
  k.AddDuration("client.connect_timeout", "--connect-timeout", "how long to try reaching a server",
                &o->rpc.connect_timeout);
  k.AddUint32("client.busy_retries", "--busy-retries", "retries of a call answered BUSY", 0, 1u << 20,
              &o->rpc.busy_retries);
  k.AddString("client.token_file", "--token-file",
              "present the token in this file (mode 0600) to every server in a HELLO", &o->token_file);
}

std::vector<std::string> DaemonKnobFlags(const ExecutorConfig& executor, const UcxConfig& ucx) {
  ExecutorConfig e = executor;
  UcxConfig u = ucx;
  Knobs knobs;
  AddExecutorKnobs(knobs, &e);
  AddUcxKnobs(knobs, &u);
  return knobs.Flags();
}

std::vector<std::pair<std::string, std::string>> ReactorManifest(const ExecutorConfig& executor) {
  ExecutorConfig e = executor;
  Knobs knobs;
  AddExecutorKnobs(knobs, &e);
  return knobs.Section("reactor.");
}

}  // namespace benchfs

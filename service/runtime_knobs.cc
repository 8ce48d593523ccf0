// Declarations of the runtime's knobs.
#include "service/runtime_knobs.h"

namespace benchfs {

void AddExecutorKnobs(Knobs& k, ExecutorConfig* c) {
  k.AddChoice("reactor.mode", "--reactor-mode",
              "polled (default: timeouts bound batching and parking, never latency) or gated "
              "(the legacy semantics that reproduce the 150 ms bug)",
              ParseReactorMode, ReactorModeName, &c->reactor_mode);
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
              ParseRingSetup, RingSetupName, &c->ring_setup);
  k.AddUint32("reactor.sqpoll_idle_ms", "", "SQPOLL thread idle time in ms", 1, 60000,
              &c->sqpoll_idle_ms);
  k.AddUint32("reactor.fixed_files", "", "registered file table size", 0, 1u << 16, &c->fixed_files);
  k.AddUint32("reactor.io_workers", "--io-workers",
              "most kernel io-wq threads per kind for I/O that cannot complete inline (0 = kernel default)", 0,
              1024, &c->io_workers);
  k.Add("reactor.stack_size", "", "usable bytes per fiber stack",
        [c](const std::string& v) {
          auto n = ParseSize(v);
          if (!n.ok()) return n.status();
          c->stack_size = *n;
          return Status();
        },
        [c] { return FormatSize(c->stack_size); });
}

void AddUcxKnobs(Knobs& k, UcxConfig* c) {
  k.AddString("ucx.tls", "--ucx-tls",
              "UCX transports (UCX_TLS), e.g. tcp or shm; empty = UCX_TLS or UCX's choice", &c->tls);
  k.AddString("ucx.net_devices", "--ucx-net-devices",
              "UCX network devices (UCX_NET_DEVICES); empty = environment/default", &c->net_devices);
  k.AddUint32("ucx.progress_cap", "", "ucp_worker_progress calls per tick at most", 1, 1u << 20,
              &c->progress_cap);
}

}  // namespace benchfs

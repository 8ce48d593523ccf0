// SPDX-License-Identifier: BSD-3-Clause
// CPU time of the parties in a measurement: the calling thread
// (getrusage RUSAGE_THREAD), this whole process (RUSAGE_SELF: every thread,
// the kernel's io_uring workers and SQPOLL threads included, since they
// belong to the process), and another process (/proc/<pid>/stat, in clock
// ticks). Snapshots are subtracted to get the time used in a window.
#pragma once

#include <sys/types.h>

namespace benchfs {

// CPU seconds (user + system) used so far.
double ThreadCpuSeconds();
double ProcessCpuSeconds();
// Of process `pid` (all its threads, exited ones included); negative if it
// cannot be read. Resolution: 1 / sysconf(_SC_CLK_TCK) s (10 ms at 100 Hz).
double PidCpuSeconds(pid_t pid);

}  // namespace benchfs

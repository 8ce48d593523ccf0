// SPDX-License-Identifier: BSD-3-Clause
/* A benchfsd child for the libbenchfs tests (C): started with a memory
 * backend, a small chunk size and a registry directory under a scratch
 * directory; its address taken from the readiness line. */
#ifndef BENCHFS_TESTS_LIBBENCHFS_DAEMON_H_
#define BENCHFS_TESTS_LIBBENCHFS_DAEMON_H_

#include <sys/types.h>

struct test_daemon {
  pid_t pid;
  char dir[256];      /* scratch directory (removed by daemon_stop) */
  char registry[300]; /* registry directory inside it */
  char address[128];  /* host:port from the readiness line */
};

/* Starts `benchfsd` with --chunk-size `chunk_size`; 0 on success, -1 (with a
 * message on stderr) otherwise. */
int daemon_start(struct test_daemon* d, const char* benchfsd, const char* chunk_size);
/* SIGTERM, wait, remove the scratch directory. */
void daemon_stop(struct test_daemon* d);

#endif

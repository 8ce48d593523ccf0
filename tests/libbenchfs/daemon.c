/* SPDX-License-Identifier: BSD-3-Clause */
/* benchfsd for the libbenchfs tests: fork/exec, wait for the ready line. */
#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char kReady[] = "benchfsd ready on ";

int daemon_start(struct test_daemon* d, const char* benchfsd, const char* chunk_size) {
  memset(d, 0, sizeof(*d));
  snprintf(d->dir, sizeof(d->dir), "/tmp/libbenchfs-test-XXXXXX");
  if (mkdtemp(d->dir) == NULL) {
    perror("mkdtemp");
    return -1;
  }
  snprintf(d->registry, sizeof(d->registry), "%s/registry", d->dir);
  if (mkdir(d->registry, 0700) != 0) {
    perror("mkdir");
    return -1;
  }
  char data[320];
  snprintf(data, sizeof(data), "%s/data", d->dir);
  char log[320];
  snprintf(log, sizeof(log), "%s/benchfsd.out", d->dir);
  d->pid = fork();
  if (d->pid < 0) {
    perror("fork");
    return -1;
  }
  if (d->pid == 0) {
    FILE* f = freopen(log, "w", stdout);
    if (f == NULL) _exit(126);
    const char* argv[24];
    int n = 0;
    argv[n++] = benchfsd;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--registry-dir";
    argv[n++] = d->registry;
    argv[n++] = "--data-dir";
    argv[n++] = data;
    argv[n++] = "--backend";
    argv[n++] = "memory";
    argv[n++] = "--chunk-size";
    argv[n++] = chunk_size;
    argv[n++] = "--log-level";
    argv[n++] = "warn";
    if (geteuid() == 0) argv[n++] = "--allow-root";
    argv[n] = NULL;
    execv(benchfsd, (char* const*)argv);
    fprintf(stderr, "exec %s: %s\n", benchfsd, strerror(errno));
    _exit(127);
  }
  /* Log lines may come before the ready line; give up after 60 s. */
  char buf[4096] = "";
  for (int i = 0; i < 3000; ++i) {
    FILE* f = fopen(log, "r");
    size_t have = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f != NULL) fclose(f);
    buf[have] = '\0';
    char* line = strstr(buf, kReady);
    if (line != NULL && strchr(line, '\n') != NULL) {
      const char* where = line + sizeof(kReady) - 1;
      size_t len = strcspn(where, " \n");
      if (len >= sizeof(d->address)) break;
      memcpy(d->address, where, len);
      d->address[len] = '\0';
      return 0;
    }
    if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
      d->pid = 0;
      break;
    }
    struct timespec t = {0, 20 * 1000 * 1000};
    nanosleep(&t, NULL);
  }
  fprintf(stderr, "benchfsd did not report ready; its output: %s\n", buf);
  daemon_stop(d);
  return -1;
}

void daemon_stop(struct test_daemon* d) {
  if (d->pid > 0) {
    kill(d->pid, SIGTERM);
    int status;
    waitpid(d->pid, &status, 0);
    d->pid = 0;
  }
  if (d->dir[0] != '\0') {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", d->dir);
    d->dir[0] = '\0';
  }
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* benchfs-capi-bench: QD1 rates through the libbenchfs C API, shaped like
 * `benchfs bench small` so the two can run against the same servers:
 *
 *   benchfs-capi-bench --servers HOST:PORT [--tls shm] [--iterations N]
 *                      [--size BYTES] [--files N] [--ops create,stat,unlink,write,read]
 *
 * create = benchfs_create (O_EXCL) + benchfs_close of a new file, stat =
 * benchfs_stat, unlink = benchfs_unlink; write/read = benchfs_pwrite /
 * benchfs_pread of `size` bytes at offset 0 of `files` open files in turn.
 * Prints one line per op: operations, rate, p50 and p99 latency. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchfs/benchfs.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static void report(const char* op, double* lat, long n, double elapsed) {
  qsort(lat, (size_t)n, sizeof(double), cmp_double);
  printf("%-7s %8ld ops %10.0f ops/s  p50 %7.2f us  p99 %7.2f us\n", op, n, (double)n / elapsed,
         lat[n / 2] * 1e6, lat[(long)((double)n * 0.99)] * 1e6);
  fflush(stdout);
}

static int die(const char* what, long rc) {
  fprintf(stderr, "benchfs-capi-bench: %s: %ld (%s)\n", what, rc, benchfs_last_error());
  return 1;
}

static int wants(const char* ops, const char* op) {
  const size_t len = strlen(op);
  for (const char* p = ops; (p = strstr(p, op)) != NULL; p += len) {
    if ((p == ops || p[-1] == ',') && (p[len] == ',' || p[len] == '\0')) return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  const char* servers = NULL;
  const char* tls = NULL;
  const char* ops = "create,stat,unlink,write,read";
  long iterations = 10000;
  long files = 1024;
  size_t size = 4096;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--servers") == 0) servers = argv[i + 1];
    else if (strcmp(argv[i], "--tls") == 0) tls = argv[i + 1];
    else if (strcmp(argv[i], "--iterations") == 0) iterations = atol(argv[i + 1]);
    else if (strcmp(argv[i], "--files") == 0) files = atol(argv[i + 1]);
    else if (strcmp(argv[i], "--size") == 0) size = (size_t)atol(argv[i + 1]);
    else if (strcmp(argv[i], "--ops") == 0) ops = argv[i + 1];
    else {
      fprintf(stderr, "benchfs-capi-bench: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (servers == NULL || iterations <= 0 || files <= 0 || size == 0 || argc % 2 == 0) {
    fprintf(stderr, "usage: benchfs-capi-bench --servers HOST:PORT [--tls T] [--iterations N] [--size B] "
                    "[--files N] [--ops create,stat,unlink,write,read]\n");
    return 2;
  }
  struct benchfs_options o;
  memset(&o, 0, sizeof(o));
  o.servers = servers;
  o.ucx_tls = tls;
  int err = 0;
  benchfs_context* ctx = benchfs_init(&o, &err);
  if (ctx == NULL) return die("benchfs_init", err);
  double* lat = malloc(sizeof(double) * (size_t)iterations);
  char path[128];
  const long pid = (long)getpid();

  const int meta = wants(ops, "create") || wants(ops, "stat") || wants(ops, "unlink");
  if (meta) {
    double start = now_s();
    for (long i = 0; i < iterations; ++i) {
      snprintf(path, sizeof(path), "/capi-bench-%ld-m%ld", pid, i);
      const double t0 = now_s();
      benchfs_file* f = benchfs_create(ctx, path, O_WRONLY | O_EXCL, 0644, &err);
      if (f == NULL) return die("benchfs_create", err);
      const int rc = benchfs_close(f);
      if (rc != 0) return die("benchfs_close", rc);
      lat[i] = now_s() - t0;
    }
    if (wants(ops, "create")) report("create", lat, iterations, now_s() - start);
    if (wants(ops, "stat")) {
      struct benchfs_stat st;
      start = now_s();
      for (long i = 0; i < iterations; ++i) {
        snprintf(path, sizeof(path), "/capi-bench-%ld-m%ld", pid, i);
        const double t0 = now_s();
        const int rc = benchfs_stat(ctx, path, &st);
        if (rc != 0) return die("benchfs_stat", rc);
        lat[i] = now_s() - t0;
      }
      report("stat", lat, iterations, now_s() - start);
    }
    start = now_s();
    for (long i = 0; i < iterations; ++i) {
      snprintf(path, sizeof(path), "/capi-bench-%ld-m%ld", pid, i);
      const double t0 = now_s();
      const int rc = benchfs_unlink(ctx, path);
      if (rc != 0) return die("benchfs_unlink", rc);
      lat[i] = now_s() - t0;
    }
    if (wants(ops, "unlink")) report("unlink", lat, iterations, now_s() - start);
  }

  if (wants(ops, "write") || wants(ops, "read")) {
    benchfs_file** fs = calloc((size_t)files, sizeof(*fs));
    char* buf = malloc(size);
    memset(buf, 'b', size);
    for (long i = 0; i < files; ++i) {
      snprintf(path, sizeof(path), "/capi-bench-%ld-d%ld", pid, i);
      fs[i] = benchfs_create(ctx, path, O_RDWR | O_TRUNC, 0644, &err);
      if (fs[i] == NULL) return die("benchfs_create", err);
      const ssize_t n = benchfs_pwrite(fs[i], buf, size, 0);  // every read then finds data
      if (n != (ssize_t)size) return die("benchfs_pwrite", (long)n);
    }
    if (wants(ops, "write")) {
      const double start = now_s();
      for (long i = 0; i < iterations; ++i) {
        const double t0 = now_s();
        const ssize_t n = benchfs_pwrite(fs[i % files], buf, size, 0);
        if (n != (ssize_t)size) return die("benchfs_pwrite", (long)n);
        lat[i] = now_s() - t0;
      }
      report("write", lat, iterations, now_s() - start);
    }
    if (wants(ops, "read")) {
      const double start = now_s();
      for (long i = 0; i < iterations; ++i) {
        const double t0 = now_s();
        const ssize_t n = benchfs_pread(fs[i % files], buf, size, 0);
        if (n != (ssize_t)size) return die("benchfs_pread", (long)n);
        lat[i] = now_s() - t0;
      }
      report("read", lat, iterations, now_s() - start);
    }
    for (long i = 0; i < files; ++i) {
      snprintf(path, sizeof(path), "/capi-bench-%ld-d%ld", pid, i);
      int rc = benchfs_close(fs[i]);
      if (rc == 0) rc = benchfs_unlink(ctx, path);
      if (rc != 0) return die("cleaning up", rc);
    }
    free(fs);
    free(buf);
  }
  free(lat);
  const int rc = benchfs_finalize(ctx);
  return rc == 0 ? 0 : die("benchfs_finalize", rc);
}

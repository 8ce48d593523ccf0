/* SPDX-License-Identifier: BSD-3-Clause */
/* The libbenchfs C API against a real benchfsd (memory backend, 4 KiB
 * chunks), compiled as C. Each case runs against a daemon of its own:
 *
 *   libbenchfs_test BENCHFSD CASE
 *
 * exits 0 when every check of CASE holds, 1 otherwise (naming each failed
 * check), 2 on a usage or set-up error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchfs/benchfs.h"
#include "daemon.h"

#define CHUNK 4096

static int failures = 0;

#define CHECK(cond)                                                                         \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
              benchfs_last_error());                                                        \
      ++failures;                                                                           \
    }                                                                                       \
  } while (0)
#define CHECK_EQ(a, b)                                                                                   \
  do {                                                                                                   \
    long long va_ = (long long)(a), vb_ = (long long)(b);                                                \
    if (va_ != vb_) {                                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s == %s (%lld vs %lld; last error: %s)\n", __FILE__, __LINE__, \
              #a, #b, va_, vb_, benchfs_last_error());                                                   \
      ++failures;                                                                                        \
    }                                                                                                    \
  } while (0)

static struct test_daemon daemon_;
static const char* benchfsd_path;

static benchfs_context* connect_to(const char* servers, const char* registry) {
  struct benchfs_options o;
  memset(&o, 0, sizeof(o));
  o.servers = servers;
  o.registry = registry;
  int err = 1;
  benchfs_context* ctx = benchfs_init(&o, &err);
  if (ctx == NULL) fprintf(stderr, "benchfs_init: %d %s\n", err, benchfs_last_error());
  CHECK(ctx != NULL);
  CHECK_EQ(err, 0);
  return ctx;
}

static void fill(unsigned char* p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; ++i) p[i] = (unsigned char)(seed * 131u + i * 7u + (i >> 9));
}

static int all_zero(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return 0;
  }
  return 1;
}

static uint64_t size_of(benchfs_context* ctx, const char* path) {
  struct benchfs_stat st;
  memset(&st, 0, sizeof(st));
  int rc = benchfs_stat(ctx, path, &st);
  CHECK_EQ(rc, 0);
  return st.size;
}

/* --- cases --- */

static void test_init(void) {
  int err = 0;
  CHECK(benchfs_init(NULL, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  CHECK(strlen(benchfs_last_error()) > 0);
  struct benchfs_options o;
  memset(&o, 0, sizeof(o));
  CHECK(benchfs_init(&o, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  o.servers = "no-port-here";
  CHECK(benchfs_init(&o, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  o.servers = "127.0.0.1:1,";
  CHECK(benchfs_init(&o, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  o.servers = daemon_.address;
  o.chunk_size = CHUNK * 2;
  CHECK(benchfs_init(&o, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  CHECK(strstr(benchfs_last_error(), "chunk") != NULL);
  o.servers = NULL;
  o.chunk_size = 0;
  o.registry = "/nonexistent-benchfs-registry";
  CHECK(benchfs_init(&o, &err) == NULL);
  CHECK_EQ(err, -ENOENT);
  /* The registry, the explicit chunk size, the transports and a timeout. */
  o.registry = daemon_.registry;
  o.chunk_size = CHUNK;
  o.ucx_tls = "tcp";
  o.timeout_ms = 2000;
  benchfs_context* ctx = benchfs_init(&o, &err);
  CHECK(ctx != NULL);
  CHECK_EQ(err, 0);
  if (ctx != NULL) {
    struct benchfs_statfs sf;
    CHECK_EQ(benchfs_statfs(ctx, &sf), 0);
    CHECK_EQ(sf.servers, 1);
    CHECK_EQ(sf.chunk_size, CHUNK);
    CHECK_EQ(benchfs_finalize(ctx), 0);
  }
  CHECK_EQ(benchfs_finalize(NULL), -EINVAL);
}

static void test_open_flags(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 1;
  benchfs_file* f = benchfs_create(ctx, "/flags", O_RDWR | O_EXCL, 0600, &err);
  CHECK(f != NULL);
  CHECK_EQ(err, 0);
  CHECK_EQ(benchfs_close(f), 0);
  struct benchfs_stat st;
  CHECK_EQ(benchfs_stat(ctx, "/flags", &st), 0);
  CHECK_EQ(st.mode, S_IFREG | 0600);
  CHECK_EQ(st.size, 0);
  CHECK(st.id != 0);

  CHECK(benchfs_create(ctx, "/flags", O_RDWR | O_EXCL, 0600, &err) == NULL);
  CHECK_EQ(err, -EEXIST);
  /* Without O_EXCL an existing file opens. */
  f = benchfs_create(ctx, "/flags", O_RDWR, 0600, &err);
  CHECK(f != NULL);
  if (f != NULL) CHECK_EQ(benchfs_close(f), 0);
  CHECK(benchfs_open(ctx, "/missing", O_RDONLY, &err) == NULL);
  CHECK_EQ(err, -ENOENT);
  CHECK(strstr(benchfs_last_error(), "/missing") != NULL);
  /* O_CREAT through benchfs_open creates. */
  f = benchfs_open(ctx, "/made-by-open", O_WRONLY | O_CREAT, &err);
  CHECK(f != NULL);
  if (f != NULL) CHECK_EQ(benchfs_close(f), 0);
  CHECK_EQ(benchfs_stat(ctx, "/made-by-open", &st), 0);
  CHECK_EQ(st.mode, S_IFREG | 0644);

  CHECK(benchfs_open(ctx, "/flags", O_RDWR | O_APPEND, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  CHECK(benchfs_open(ctx, "/flags", O_WRONLY | O_RDWR, &err) == NULL);
  CHECK_EQ(err, -EINVAL);

  CHECK_EQ(benchfs_mkdir(ctx, "/adir", 0755), 0);
  CHECK(benchfs_open(ctx, "/adir", O_RDONLY, &err) == NULL);
  CHECK_EQ(err, -EISDIR);
  CHECK(benchfs_create(ctx, "/adir", O_RDWR, 0644, &err) == NULL);
  CHECK_EQ(err, -EISDIR);
  CHECK(benchfs_create(ctx, "/adir", O_RDWR | O_EXCL, 0644, &err) == NULL);
  CHECK_EQ(err, -EEXIST);

  /* Access modes. */
  unsigned char b[16] = {1};
  f = benchfs_open(ctx, "/flags", O_RDONLY, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(benchfs_pwrite(f, b, sizeof(b), 0), -EBADF);
    CHECK_EQ(benchfs_pread(f, b, sizeof(b), 0), 0);
    CHECK_EQ(benchfs_close(f), 0);
  }
  f = benchfs_open(ctx, "/flags", O_WRONLY, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(benchfs_pread(f, b, sizeof(b), 0), -EBADF);
    CHECK_EQ(benchfs_pwrite(f, b, sizeof(b), 0), sizeof(b));
    CHECK_EQ(benchfs_close(f), 0);
  }
  CHECK_EQ(size_of(ctx, "/flags"), sizeof(b));

  /* O_TRUNC drops the data: a later write past a hole reads zeros in it. */
  unsigned char big[3 * CHUNK];
  fill(big, sizeof(big), 3);
  f = benchfs_open(ctx, "/flags", O_RDWR, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(benchfs_pwrite(f, big, sizeof(big), 0), sizeof(big));
    CHECK_EQ(benchfs_close(f), 0);
  }
  f = benchfs_open(ctx, "/flags", O_RDWR | O_TRUNC, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(size_of(ctx, "/flags"), 0);
    CHECK_EQ(benchfs_pread(f, big, sizeof(big), 0), 0);
    CHECK_EQ(benchfs_pwrite(f, "x", 1, 2 * CHUNK + 5), 1);
    memset(big, 0xff, sizeof(big));
    CHECK_EQ(benchfs_pread(f, big, sizeof(big), 0), 2 * CHUNK + 6);
    CHECK(all_zero(big, 2 * CHUNK + 5));
    CHECK_EQ(big[2 * CHUNK + 5], 'x');
    CHECK_EQ(benchfs_close(f), 0);
  }
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

static void test_io(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 1;
  benchfs_file* f = benchfs_create(ctx, "/io", O_RDWR, 0644, &err);
  CHECK(f != NULL);
  if (f == NULL) return;
  /* Across chunk boundaries: starts mid-chunk, spans several, ends mid-chunk. */
  enum { kLen = 5 * CHUNK + 123, kOff = 1000 };
  static unsigned char w[kLen], r[kLen + 4 * CHUNK];
  fill(w, kLen, 1);
  CHECK_EQ(benchfs_pwrite(f, w, kLen, kOff), kLen);
  uint64_t size = 0;
  CHECK_EQ(benchfs_fsize(f, &size), 0);
  CHECK_EQ(size, kOff + kLen);
  memset(r, 0xee, sizeof(r));
  CHECK_EQ(benchfs_pread(f, r, kLen, kOff), kLen);
  CHECK(memcmp(r, w, kLen) == 0);
  /* The range before the first write is a hole. */
  CHECK_EQ(benchfs_pread(f, r, kOff, 0), kOff);
  CHECK(all_zero(r, kOff));
  /* Short read at the end of the file, exact count; 0 at and past it. */
  CHECK_EQ(benchfs_pread(f, r, sizeof(r), kOff + 10), kLen - 10);
  CHECK(memcmp(r, w + 10, kLen - 10) == 0);
  CHECK_EQ(benchfs_pread(f, r, 10, kOff + kLen), 0);
  CHECK_EQ(benchfs_pread(f, r, 10, kOff + kLen + 5 * CHUNK), 0);
  CHECK_EQ(benchfs_pread(f, r, 0, 0), 0);
  CHECK_EQ(benchfs_pwrite(f, w, 0, 0), 0);
  /* A write far past the end leaves a hole of missing chunks and a short one. */
  const off_t far = kOff + kLen + 3 * CHUNK + 17;
  CHECK_EQ(benchfs_pwrite(f, "end", 3, far), 3);
  memset(r, 0xee, sizeof(r));
  const size_t gap = (size_t)(far - (kOff + kLen));
  CHECK_EQ(benchfs_pread(f, r, gap + 3, kOff + kLen), gap + 3);
  CHECK(all_zero(r, gap));
  CHECK(memcmp(r + gap, "end", 3) == 0);
  CHECK_EQ(benchfs_fsync(f), 0);
  CHECK_EQ(size_of(ctx, "/io"), far + 3);
  CHECK_EQ(benchfs_close(f), 0);

  /* Another context (another process, as far as sizes go) reads it all. */
  benchfs_context* other = connect_to(daemon_.address, NULL);
  if (other != NULL) {
    benchfs_file* g = benchfs_open(other, "/io", O_RDONLY, &err);
    CHECK(g != NULL);
    if (g != NULL) {
      memset(r, 0xee, sizeof(r));
      CHECK_EQ(benchfs_pread(g, r, kLen, kOff), kLen);
      CHECK(memcmp(r, w, kLen) == 0);
      CHECK_EQ(benchfs_close(g), 0);
    }
    CHECK_EQ(benchfs_finalize(other), 0);
  }
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

/* Writers of one shared file, each with a context of its own (as separate
 * processes would), and the sizes after they close. */
struct writer {
  int index;
  int contexts;  /* 1: share one context */
  benchfs_context* shared;
  int errors;
};

enum { kWriters = 4, kBlocksPerWriter = 16, kBlock = 1500 };

static void* write_share(void* arg) {
  struct writer* w = arg;
  benchfs_context* ctx = w->shared != NULL ? w->shared : connect_to(daemon_.address, NULL);
  if (ctx == NULL) {
    w->errors++;
    return NULL;
  }
  int err = 0;
  benchfs_file* f = benchfs_create(ctx, "/shared", O_WRONLY, 0644, &err);
  if (f == NULL) {
    w->errors++;
  } else {
    unsigned char b[kBlock];
    /* Interleaved blocks: writer i owns blocks i, i + kWriters, ... */
    for (int k = 0; k < kBlocksPerWriter; ++k) {
      const int block = k * kWriters + w->index;
      fill(b, kBlock, (unsigned)block);
      if (benchfs_pwrite(f, b, kBlock, (off_t)block * kBlock) != kBlock) w->errors++;
    }
    if (benchfs_close(f) != 0) w->errors++;
  }
  if (w->shared == NULL && benchfs_finalize(ctx) != 0) w->errors++;
  return NULL;
}

static void run_writers(benchfs_context* shared) {
  pthread_t t[kWriters];
  struct writer w[kWriters];
  for (int i = 0; i < kWriters; ++i) {
    w[i] = (struct writer){i, 0, shared, 0};
    pthread_create(&t[i], NULL, write_share, &w[i]);
  }
  for (int i = 0; i < kWriters; ++i) {
    pthread_join(t[i], NULL);
    CHECK_EQ(w[i].errors, 0);
  }
}

static void check_shared(benchfs_context* ctx) {
  const uint64_t total = (uint64_t)kWriters * kBlocksPerWriter * kBlock;
  CHECK_EQ(size_of(ctx, "/shared"), total);
  int err = 0;
  benchfs_file* f = benchfs_open(ctx, "/shared", O_RDONLY, &err);
  CHECK(f != NULL);
  if (f == NULL) return;
  static unsigned char r[kWriters * kBlocksPerWriter * kBlock];
  unsigned char e[kBlock];
  CHECK_EQ(benchfs_pread(f, r, sizeof(r) + 100, 0), total);
  for (int block = 0; block < kWriters * kBlocksPerWriter; ++block) {
    fill(e, kBlock, (unsigned)block);
    CHECK(memcmp(r + (size_t)block * kBlock, e, kBlock) == 0);
  }
  CHECK_EQ(benchfs_close(f), 0);
}

static void test_shared_file(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  /* One context per writer (separate processes as far as sizes go)... */
  run_writers(NULL);
  check_shared(ctx);
  CHECK_EQ(benchfs_unlink(ctx, "/shared"), 0);
  /* ...and several threads on one context, each a call of its own. */
  run_writers(ctx);
  check_shared(ctx);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

static void test_truncate(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 0;
  static unsigned char w[3 * CHUNK], r[3 * CHUNK];
  fill(w, sizeof(w), 9);
  benchfs_file* f = benchfs_create(ctx, "/t", O_RDWR, 0644, &err);
  CHECK(f != NULL);
  if (f == NULL) return;
  CHECK_EQ(benchfs_pwrite(f, w, sizeof(w), 0), sizeof(w));
  /* A stat through the same context sees the handle's writes. */
  CHECK_EQ(size_of(ctx, "/t"), sizeof(w));
  /* Shrink into the middle of a chunk, then extend: the dropped bytes are zeros. */
  CHECK_EQ(benchfs_truncate(ctx, "/t", CHUNK + 100), 0);
  CHECK_EQ(size_of(ctx, "/t"), CHUNK + 100);
  CHECK_EQ(benchfs_pread(f, r, sizeof(r), 0), CHUNK + 100);
  CHECK(memcmp(r, w, CHUNK + 100) == 0);
  CHECK_EQ(benchfs_truncate(ctx, "/t", sizeof(w)), 0);
  CHECK_EQ(size_of(ctx, "/t"), sizeof(w));
  memset(r, 0xee, sizeof(r));
  CHECK_EQ(benchfs_pread(f, r, sizeof(r), 0), sizeof(w));
  CHECK(memcmp(r, w, CHUNK + 100) == 0);
  CHECK(all_zero(r + CHUNK + 100, sizeof(w) - CHUNK - 100));
  /* The handle does not push its old size back after a truncate. */
  CHECK_EQ(benchfs_truncate(ctx, "/t", 10), 0);
  CHECK_EQ(benchfs_close(f), 0);
  CHECK_EQ(size_of(ctx, "/t"), 10);
  CHECK_EQ(benchfs_truncate(ctx, "/t", 0), 0);
  CHECK_EQ(size_of(ctx, "/t"), 0);
  CHECK_EQ(benchfs_truncate(ctx, "/t", 5000), 0);
  f = benchfs_open(ctx, "/t", O_RDONLY, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    memset(r, 0xee, sizeof(r));
    CHECK_EQ(benchfs_pread(f, r, sizeof(r), 0), 5000);
    CHECK(all_zero(r, 5000));
    CHECK_EQ(benchfs_close(f), 0);
  }
  CHECK_EQ(benchfs_truncate(ctx, "/no-such-file", 0), -ENOENT);
  CHECK_EQ(benchfs_mkdir(ctx, "/tdir", 0755), 0);
  CHECK_EQ(benchfs_truncate(ctx, "/tdir", 0), -EISDIR);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

static void test_unlink_mkdir_statfs(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  struct benchfs_statfs before, after;
  CHECK_EQ(benchfs_statfs(ctx, &before), 0);
  CHECK_EQ(before.servers, 1);
  CHECK_EQ(before.chunk_size, CHUNK);
  int err = 0;
  benchfs_file* f = benchfs_create(ctx, "/u", O_RDWR, 0644, &err);
  CHECK(f != NULL);
  if (f == NULL) return;
  static unsigned char w[2 * CHUNK];
  fill(w, sizeof(w), 4);
  CHECK_EQ(benchfs_pwrite(f, w, sizeof(w), 0), sizeof(w));
  CHECK_EQ(benchfs_close(f), 0);
  CHECK_EQ(benchfs_statfs(ctx, &after), 0);
  CHECK_EQ(after.files, before.files + 1);
  CHECK(after.used_bytes >= before.used_bytes + sizeof(w));

  CHECK_EQ(benchfs_unlink(ctx, "/u"), 0);
  struct benchfs_stat st;
  CHECK_EQ(benchfs_stat(ctx, "/u", &st), -ENOENT);
  CHECK(benchfs_open(ctx, "/u", O_RDONLY, &err) == NULL);
  CHECK_EQ(err, -ENOENT);
  CHECK_EQ(benchfs_unlink(ctx, "/u"), -ENOENT);
  CHECK_EQ(benchfs_statfs(ctx, &after), 0);
  CHECK_EQ(after.files, before.files);
  CHECK_EQ(after.used_bytes, before.used_bytes);
  /* Recreated after unlink: empty, none of the old chunks show. */
  f = benchfs_create(ctx, "/u", O_RDWR | O_EXCL, 0644, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(benchfs_pwrite(f, "z", 1, CHUNK + 1), 1);
    static unsigned char r[2 * CHUNK];
    CHECK_EQ(benchfs_pread(f, r, sizeof(r), 0), CHUNK + 2);
    CHECK(all_zero(r, CHUNK + 1));
    CHECK_EQ(benchfs_close(f), 0);
  }

  /* Unlinked by path while a handle that wrote it is still open (its size
   * not yet pushed by a close): its chunks go too, as they do for a file
   * unlinked by another context. */
  CHECK_EQ(benchfs_unlink(ctx, "/u"), 0);
  f = benchfs_create(ctx, "/open-u", O_RDWR | O_EXCL, 0644, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(benchfs_pwrite(f, w, 10, 0), 10);
    CHECK_EQ(benchfs_pwrite(f, w, sizeof(w), CHUNK), sizeof(w));
    benchfs_context* other = connect_to(daemon_.address, NULL);
    CHECK(other != NULL);
    if (other != NULL) {
      CHECK_EQ(benchfs_unlink(other, "/open-u"), 0);
      CHECK_EQ(benchfs_finalize(other), 0);
    }
    CHECK_EQ(benchfs_close(f), 0);
  }
  CHECK_EQ(benchfs_statfs(ctx, &after), 0);
  CHECK_EQ(after.files, before.files);
  CHECK_EQ(after.used_bytes, before.used_bytes);

  CHECK_EQ(benchfs_mkdir(ctx, "/d", 0750), 0);
  CHECK_EQ(benchfs_stat(ctx, "/d", &st), 0);
  CHECK(S_ISDIR(st.mode));
  CHECK_EQ(st.mode & 07777, 0750);
  CHECK_EQ(benchfs_mkdir(ctx, "/d", 0750), -EEXIST);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

static void test_rmdir(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 0;
  CHECK_EQ(benchfs_mkdir(ctx, "/rd", 0755), 0);
  CHECK_EQ(benchfs_mkdir(ctx, "/rd/sub", 0755), 0);
  benchfs_file* f = benchfs_create(ctx, "/rd/file", O_RDWR | O_EXCL, 0644, &err);
  CHECK(f != NULL);
  if (f != NULL) CHECK_EQ(benchfs_close(f), 0);
  CHECK_EQ(benchfs_rmdir(ctx, "/rd"), -ENOTEMPTY);
  CHECK_EQ(benchfs_rmdir(ctx, "/rd/file"), -ENOTDIR);
  CHECK_EQ(benchfs_rmdir(ctx, "/rd/none"), -ENOENT);
  CHECK_EQ(benchfs_rmdir(ctx, "/rd/sub"), 0);
  CHECK_EQ(benchfs_rmdir(ctx, "/rd"), -ENOTEMPTY);
  CHECK_EQ(benchfs_unlink(ctx, "/rd/file"), 0);
  CHECK_EQ(benchfs_rmdir(ctx, "/rd"), 0);
  struct benchfs_stat st;
  CHECK_EQ(benchfs_stat(ctx, "/rd", &st), -ENOENT);
  CHECK_EQ(benchfs_rmdir(ctx, "/rd"), -ENOENT);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

/* Which of two single-server contexts holds the metadata of `path`: 0, 1,
 * or -1 if neither (or both) does. */
static int owner_of(benchfs_context* only0, benchfs_context* only1, const char* path) {
  struct benchfs_stat st;
  const int on0 = benchfs_stat(only0, path, &st) == 0;
  const int on1 = benchfs_stat(only1, path, &st) == 0;
  return on0 == on1 ? -1 : (on0 ? 0 : 1);
}

static void check_contents(benchfs_context* ctx, const char* path, const unsigned char* want, size_t n) {
  int err = 0;
  benchfs_file* f = benchfs_open(ctx, path, O_RDONLY, &err);
  CHECK(f != NULL);
  if (f == NULL) return;
  static unsigned char r[4 * CHUNK];
  memset(r, 0xee, sizeof(r));
  CHECK_EQ(benchfs_pread(f, r, sizeof(r), 0), n);
  CHECK(memcmp(r, want, n) == 0);
  CHECK_EQ(benchfs_close(f), 0);
}

/* Two daemons: renames within one metadata server and across the two. */
static void test_rename(void) {
  struct test_daemon second;
  char chunk[32];
  snprintf(chunk, sizeof(chunk), "%d", CHUNK);
  if (daemon_start(&second, benchfsd_path, chunk) != 0) {
    ++failures;
    return;
  }
  char both[300];
  snprintf(both, sizeof(both), "%s,%s", daemon_.address, second.address);
  benchfs_context* ctx = connect_to(both, NULL);
  benchfs_context* only0 = connect_to(daemon_.address, NULL);
  benchfs_context* only1 = connect_to(second.address, NULL);
  if (ctx == NULL || only0 == NULL || only1 == NULL) {
    daemon_stop(&second);
    return;
  }
  int err = 0;
  /* Name candidates, sorted by the server their metadata lands on. */
  char names[2][4][32];
  int count[2] = {0, 0};
  for (int i = 0; i < 64 && (count[0] < 4 || count[1] < 4); ++i) {
    char p[32];
    snprintf(p, sizeof(p), "/n%d", i);
    benchfs_file* f = benchfs_create(ctx, p, O_RDWR | O_EXCL, 0644, &err);
    CHECK(f != NULL);
    if (f == NULL) continue;
    CHECK_EQ(benchfs_close(f), 0);
    const int o = owner_of(only0, only1, p);
    CHECK(o >= 0);
    if (o >= 0 && count[o] < 4) strcpy(names[o][count[o]++], p);
    CHECK_EQ(benchfs_unlink(ctx, p), 0);
  }
  CHECK_EQ(count[0], 4);
  CHECK_EQ(count[1], 4);
  if (count[0] < 4 || count[1] < 4) goto out;

  static unsigned char w[3 * CHUNK + 17];
  fill(w, sizeof(w), 21);
  struct benchfs_stat st, st2;
  /* Within server 0, then across to server 1, then back: the id and the
   * data follow the file. */
  benchfs_file* f = benchfs_create(ctx, names[0][0], O_RDWR | O_EXCL, 0644, &err);
  CHECK(f != NULL);
  if (f == NULL) goto out;
  CHECK_EQ(benchfs_pwrite(f, w, sizeof(w), 0), sizeof(w));
  CHECK_EQ(benchfs_close(f), 0);
  CHECK_EQ(benchfs_stat(ctx, names[0][0], &st), 0);
  const char* hops[] = {names[0][0], names[0][1], names[1][0], names[0][2]};
  for (int h = 1; h < 4; ++h) {
    CHECK_EQ(benchfs_rename(ctx, hops[h - 1], hops[h]), 0);
    CHECK_EQ(owner_of(only0, only1, hops[h]), h == 2 ? 1 : 0);
    CHECK_EQ(benchfs_stat(ctx, hops[h - 1], &st2), -ENOENT);
    CHECK_EQ(benchfs_stat(ctx, hops[h], &st2), 0);
    CHECK_EQ(st2.id, st.id);
    CHECK_EQ(st2.size, sizeof(w));
    check_contents(ctx, hops[h], w, sizeof(w));
  }
  /* An open handle keeps writing across a rename; its size reaches the new name. */
  f = benchfs_open(ctx, names[0][2], O_RDWR, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(benchfs_pwrite(f, "ab", 2, sizeof(w)), 2);
    CHECK_EQ(benchfs_rename(ctx, names[0][2], names[1][1]), 0);
    CHECK_EQ(benchfs_pwrite(f, "cd", 2, sizeof(w) + 2), 2);
    CHECK_EQ(benchfs_close(f), 0);
    CHECK_EQ(size_of(ctx, names[1][1]), sizeof(w) + 4);
    unsigned char tail[4];
    f = benchfs_open(ctx, names[1][1], O_RDONLY, &err);
    CHECK(f != NULL);
    if (f != NULL) {
      CHECK_EQ(benchfs_pread(f, tail, 4, sizeof(w)), 4);
      CHECK(memcmp(tail, "abcd", 4) == 0);
      CHECK_EQ(benchfs_close(f), 0);
    }
  }
  static unsigned char w4[sizeof(w) + 4];
  memcpy(w4, w, sizeof(w));
  memcpy(w4 + sizeof(w), "abcd", 4);
  /* Replacing a file: the target's data is gone, the source's is there. */
  f = benchfs_create(ctx, names[1][2], O_RDWR | O_EXCL, 0644, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK_EQ(benchfs_pwrite(f, "old", 3, 0), 3);
    CHECK_EQ(benchfs_close(f), 0);
  }
  CHECK_EQ(benchfs_rename(ctx, names[1][1], names[1][2]), 0);
  CHECK_EQ(benchfs_stat(ctx, names[1][1], &st2), -ENOENT);
  check_contents(ctx, names[1][2], w4, sizeof(w4));
  /* Directories: an empty one moves, a non-empty one is EXDEV. */
  CHECK_EQ(benchfs_mkdir(ctx, "/dir", 0755), 0);
  CHECK_EQ(benchfs_rename(ctx, "/dir", "/dir2"), 0);
  CHECK_EQ(benchfs_stat(ctx, "/dir2", &st2), 0);
  CHECK(S_ISDIR(st2.mode));
  CHECK_EQ(benchfs_rename(ctx, names[1][2], "/dir2/file"), 0);
  check_contents(ctx, "/dir2/file", w4, sizeof(w4));
  CHECK_EQ(benchfs_rename(ctx, "/dir2", "/dir3"), -EXDEV);
  CHECK_EQ(benchfs_stat(ctx, "/dir2/file", &st2), 0);
  CHECK_EQ(benchfs_rename(ctx, "/missing", "/x"), -ENOENT);
  CHECK_EQ(benchfs_rename(ctx, "/dir2/file", "/nodir/x"), -ENOENT);
  CHECK_EQ(benchfs_rename(ctx, "/dir2/file", "/dir2"), -EISDIR);
  CHECK_EQ(benchfs_rename(ctx, "/dir2", "/dir2/in"), -EINVAL);
  CHECK_EQ(benchfs_rename(ctx, "/dir2/file", "bad"), -EINVAL);
out:
  CHECK_EQ(benchfs_finalize(only1), 0);
  CHECK_EQ(benchfs_finalize(only0), 0);
  CHECK_EQ(benchfs_finalize(ctx), 0);
  daemon_stop(&second);
}

struct listing {
  int seen[300];
  int others;
  int calls;
  int stop_after;
};

static int collect(void* arg, const char* name, const struct benchfs_stat* st) {
  struct listing* l = arg;
  ++l->calls;
  int i = -1;
  char tail = 0;
  if (sscanf(name, "entry-%d%c", &i, &tail) == 1 && i >= 0 && i < 300 && S_ISREG(st->mode)) {
    ++l->seen[i];
  } else if (strcmp(name, "sub") == 0 && S_ISDIR(st->mode)) {
    ++l->seen[299];
  } else {
    ++l->others;
  }
  return l->stop_after > 0 && l->calls == l->stop_after ? 42 : 0;
}

static void test_readdir(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 0;
  CHECK_EQ(benchfs_mkdir(ctx, "/ls", 0755), 0);
  /* More entries than one page holds (the server's page is smaller). */
  enum { kEntries = 290 };
  for (int i = 0; i < kEntries; ++i) {
    char p[64];
    snprintf(p, sizeof(p), "/ls/entry-%d", i);
    benchfs_file* f = benchfs_create(ctx, p, O_WRONLY | O_EXCL, 0644, &err);
    CHECK(f != NULL);
    if (f != NULL) CHECK_EQ(benchfs_close(f), 0);
  }
  CHECK_EQ(benchfs_mkdir(ctx, "/ls/sub", 0755), 0);
  CHECK_EQ(benchfs_mkdir(ctx, "/ls/sub/deeper", 0755), 0); /* not an entry of /ls */
  static struct listing l;
  memset(&l, 0, sizeof(l));
  CHECK_EQ(benchfs_readdir(ctx, "/ls", collect, &l), 0);
  CHECK_EQ(l.calls, kEntries + 1);
  CHECK_EQ(l.others, 0);
  int once = 0;
  for (int i = 0; i < kEntries; ++i) once += l.seen[i] == 1;
  CHECK_EQ(once, kEntries);
  CHECK_EQ(l.seen[299], 1);
  /* A non-zero return stops the walk and is returned. */
  memset(&l, 0, sizeof(l));
  l.stop_after = 3;
  CHECK_EQ(benchfs_readdir(ctx, "/ls", collect, &l), 42);
  CHECK_EQ(l.calls, 3);
  /* An empty directory, a file, a missing path, no callback. */
  memset(&l, 0, sizeof(l));
  CHECK_EQ(benchfs_readdir(ctx, "/ls/sub/deeper", collect, &l), 0);
  CHECK_EQ(l.calls, 0);
  CHECK_EQ(benchfs_readdir(ctx, "/ls/entry-0", collect, &l), -ENOTDIR);
  CHECK_EQ(benchfs_readdir(ctx, "/none", collect, &l), -ENOENT);
  CHECK_EQ(benchfs_readdir(ctx, "/ls", NULL, NULL), -EINVAL);
  /* The root lists /ls only. */
  memset(&l, 0, sizeof(l));
  CHECK_EQ(benchfs_readdir(ctx, "/", collect, &l), 0);
  CHECK_EQ(l.calls, 1);
  CHECK_EQ(l.others, 1);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

static void test_namespace_rules(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 0;
  /* Creating needs an existing parent directory. */
  CHECK(benchfs_create(ctx, "/nodir/f", O_RDWR, 0644, &err) == NULL);
  CHECK_EQ(err, -ENOENT);
  CHECK(benchfs_open(ctx, "/nodir/f", O_RDWR | O_CREAT, &err) == NULL);
  CHECK_EQ(err, -ENOENT);
  CHECK_EQ(benchfs_mkdir(ctx, "/nodir/d", 0755), -ENOENT);
  benchfs_file* f = benchfs_create(ctx, "/plain", O_RDWR | O_EXCL, 0644, &err);
  CHECK(f != NULL);
  if (f == NULL) return;
  CHECK(benchfs_create(ctx, "/plain/f", O_RDWR, 0644, &err) == NULL);
  CHECK_EQ(err, -ENOTDIR);
  /* unlink of a directory. */
  CHECK_EQ(benchfs_mkdir(ctx, "/adir", 0755), 0);
  CHECK_EQ(benchfs_unlink(ctx, "/adir"), -EISDIR);
  struct benchfs_stat st;
  CHECK_EQ(benchfs_stat(ctx, "/adir", &st), 0);
  /* Shrink, then grow again by writing: zeros between the cut and the write. */
  static unsigned char w[3 * CHUNK], r[3 * CHUNK];
  fill(w, sizeof(w), 5);
  CHECK_EQ(benchfs_pwrite(f, w, sizeof(w), 0), sizeof(w));
  CHECK_EQ(benchfs_truncate(ctx, "/plain", 100), 0);
  CHECK_EQ(benchfs_pwrite(f, "q", 1, sizeof(w) - 1), 1);
  memset(r, 0xee, sizeof(r));
  CHECK_EQ(benchfs_pread(f, r, sizeof(r), 0), sizeof(w));
  CHECK(memcmp(r, w, 100) == 0);
  CHECK(all_zero(r + 100, sizeof(w) - 101));
  CHECK_EQ(r[sizeof(w) - 1], 'q');
  CHECK_EQ(benchfs_close(f), 0);
  CHECK_EQ(size_of(ctx, "/plain"), sizeof(w));
  /* The servers report their file systems. */
  struct benchfs_statfs sf;
  CHECK_EQ(benchfs_statfs(ctx, &sf), 0);
  CHECK(sf.total_bytes > 0);
  CHECK(sf.free_bytes > 0);
  CHECK(sf.free_bytes <= sf.total_bytes);
  CHECK_EQ(sf.files, 2);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

static void test_bad_arguments(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 0;
  struct benchfs_stat st;
  CHECK(benchfs_open(NULL, "/x", O_RDONLY, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  CHECK(benchfs_open(ctx, NULL, O_RDONLY, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  CHECK(benchfs_open(ctx, "relative", O_RDONLY, &err) == NULL);
  CHECK_EQ(err, -EINVAL);
  CHECK(strstr(benchfs_last_error(), "absolute") != NULL);
  CHECK(benchfs_create(ctx, "", O_RDWR, 0644, NULL) == NULL);
  CHECK_EQ(benchfs_stat(ctx, "/a//b", &st), -EINVAL);
  CHECK_EQ(benchfs_stat(ctx, "/a/", &st), -EINVAL);
  CHECK_EQ(benchfs_stat(ctx, "/a/../b", &st), -EINVAL);
  static char longpath[5000];
  memset(longpath, 'a', sizeof(longpath) - 1);
  longpath[0] = '/';
  for (size_t i = 100; i < sizeof(longpath) - 1; i += 100) longpath[i] = '/';
  CHECK_EQ(benchfs_stat(ctx, longpath, &st), -ENAMETOOLONG);
  char longname[300];
  memset(longname, 'n', sizeof(longname) - 1);
  longname[0] = '/';
  longname[sizeof(longname) - 1] = '\0';
  CHECK_EQ(benchfs_mkdir(ctx, longname, 0755), -ENAMETOOLONG);
  CHECK_EQ(benchfs_stat(ctx, "/x", NULL), -EINVAL);
  CHECK_EQ(benchfs_stat(NULL, "/x", &st), -EINVAL);
  CHECK_EQ(benchfs_unlink(NULL, "/x"), -EINVAL);
  CHECK_EQ(benchfs_unlink(ctx, NULL), -EINVAL);
  CHECK_EQ(benchfs_truncate(ctx, "/x", (uint64_t)-1), -EINVAL);
  CHECK_EQ(benchfs_mkdir(ctx, "rel", 0755), -EINVAL);
  CHECK_EQ(benchfs_statfs(ctx, NULL), -EINVAL);
  CHECK_EQ(benchfs_statfs(NULL, NULL), -EINVAL);

  benchfs_file* f = benchfs_create(ctx, "/bad", O_RDWR, 0644, &err);
  CHECK(f != NULL);
  if (f != NULL) {
    char b[8] = "1234567";
    CHECK_EQ(benchfs_pwrite(f, b, sizeof(b), -1), -EINVAL);
    CHECK_EQ(benchfs_pread(f, b, sizeof(b), -1), -EINVAL);
    CHECK_EQ(benchfs_pwrite(f, NULL, 8, 0), -EINVAL);
    CHECK_EQ(benchfs_pread(f, NULL, 8, 0), -EINVAL);
    CHECK_EQ(benchfs_pwrite(f, b, (size_t)-1, 0), -EINVAL);
    CHECK_EQ(benchfs_pwrite(f, b, 8, INT64_MAX - 2), -EINVAL);
    CHECK_EQ(benchfs_fsize(f, NULL), -EINVAL);
    CHECK_EQ(benchfs_close(f), 0);
  }
  CHECK_EQ(benchfs_pread(NULL, NULL, 0, 0), -EINVAL);
  CHECK_EQ(benchfs_pwrite(NULL, "", 0, 0), -EINVAL);
  CHECK_EQ(benchfs_fsync(NULL), -EINVAL);
  CHECK_EQ(benchfs_close(NULL), -EINVAL);
  uint64_t size;
  CHECK_EQ(benchfs_fsize(NULL, &size), -EINVAL);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

/* Handles left open at finalize still push their sizes. */
static void test_finalize_closes(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  int err = 0;
  benchfs_file* f = benchfs_create(ctx, "/left-open", O_RDWR, 0644, &err);
  CHECK(f != NULL);
  if (f != NULL) CHECK_EQ(benchfs_pwrite(f, "abc", 3, 2 * CHUNK), 3);
  CHECK_EQ(benchfs_finalize(ctx), 0);
  ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  CHECK_EQ(size_of(ctx, "/left-open"), 2 * CHUNK + 3);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

/* An idle library parks its thread: no core burnt while nothing is asked. */
static void test_idle(void) {
  benchfs_context* ctx = connect_to(daemon_.address, NULL);
  if (ctx == NULL) return;
  struct benchfs_stat st;
  CHECK_EQ(benchfs_stat(ctx, "/", &st) == 0 || benchfs_stat(ctx, "/", &st) == -ENOENT, 1);
  const double before = cpu_seconds();
  struct timespec t = {1, 0};
  nanosleep(&t, NULL);
  const double used = cpu_seconds() - before;
  printf("idle: %.3f s of CPU in 1 s\n", used);
  CHECK(used < 0.1);
  CHECK_EQ(benchfs_finalize(ctx), 0);
}

struct test_case {
  const char* name;
  void (*fn)(void);
};

static const struct test_case kCases[] = {
    {"init", test_init},
    {"open_flags", test_open_flags},
    {"io", test_io},
    {"shared_file", test_shared_file},
    {"truncate", test_truncate},
    {"unlink_mkdir_statfs", test_unlink_mkdir_statfs},
    {"bad_arguments", test_bad_arguments},
    {"finalize_closes", test_finalize_closes},
    {"idle", test_idle},
    {"rmdir", test_rmdir},
    {"rename", test_rename},
    {"readdir", test_readdir},
    {"namespace_rules", test_namespace_rules},
};

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s BENCHFSD CASE\n", argv[0]);
    return 2;
  }
  const struct test_case* c = NULL;
  for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); ++i) {
    if (strcmp(kCases[i].name, argv[2]) == 0) c = &kCases[i];
  }
  if (c == NULL) {
    fprintf(stderr, "no case %s\n", argv[2]);
    return 2;
  }
  char chunk[32];
  snprintf(chunk, sizeof(chunk), "%d", CHUNK);
  benchfsd_path = argv[1];
  if (daemon_start(&daemon_, argv[1], chunk) != 0) return 2;
  c->fn();
  daemon_stop(&daemon_);
  printf("%s: %s (%d failed checks)\n", c->name, failures == 0 ? "passed" : "FAILED", failures);
  return failures == 0 ? 0 : 1;
}

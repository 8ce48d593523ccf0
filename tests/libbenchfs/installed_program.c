/* SPDX-License-Identifier: BSD-3-Clause */
/* A user's program of libbenchfs, built against the installed library with
 * pkg-config (installed_test.sh): writes, reads back, stats and removes one
 * file on the server at argv[1]. Exits 0 when all of it worked. */
#include <benchfs/benchfs.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static int fail(const char* what, long rc) {
  fprintf(stderr, "%s: %ld (%s)\n", what, rc, benchfs_last_error());
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 2) return fail("usage: installed_program HOST:PORT", -EINVAL);
  int err = 0;
  if (benchfs_init(NULL, &err) != NULL || err != -EINVAL) return fail("benchfs_init(NULL)", err);
  struct benchfs_options o;
  memset(&o, 0, sizeof(o));
  o.servers = argv[1];
  benchfs_context* ctx = benchfs_init(&o, &err);
  if (ctx == NULL) return fail("benchfs_init", err);
  benchfs_file* f = benchfs_create(ctx, "/installed", O_RDWR | O_EXCL, 0644, &err);
  if (f == NULL) return fail("benchfs_create", err);
  const char text[] = "hello from an installed libbenchfs";
  ssize_t n = benchfs_pwrite(f, text, sizeof(text), 0);
  if (n != (ssize_t)sizeof(text)) return fail("benchfs_pwrite", (long)n);
  char back[64];
  n = benchfs_pread(f, back, sizeof(back), 0);
  if (n != (ssize_t)sizeof(text) || memcmp(back, text, sizeof(text)) != 0) return fail("benchfs_pread", (long)n);
  int rc = benchfs_close(f);
  if (rc != 0) return fail("benchfs_close", rc);
  struct benchfs_stat st;
  rc = benchfs_stat(ctx, "/installed", &st);
  if (rc != 0 || st.size != sizeof(text)) return fail("benchfs_stat", rc);
  rc = benchfs_unlink(ctx, "/installed");
  if (rc != 0) return fail("benchfs_unlink", rc);
  rc = benchfs_finalize(ctx);
  if (rc != 0) return fail("benchfs_finalize", rc);
  printf("installed libbenchfs: ok\n");
  return 0;
}

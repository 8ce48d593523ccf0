/* SPDX-License-Identifier: BSD-3-Clause */
/* libbenchfs: the C client library of BenchFS.
 *
 * A process opens one context (benchfs_init), which starts one executor
 * thread inside the library, connects to every server and serves every call
 * made on it: each call is blocking, hands its work to that thread and waits
 * for the completion. Calls on one context may come from several threads at
 * once; a file handle belongs to its context and must not be used after
 * benchfs_close.
 *
 * Files are split into chunks of `chunk_size` bytes, each placed on a server
 * and named by the file's stable id (so a file keeps its data, and open
 * handles keep working, across a rename); a file's metadata (type, size,
 * mode, times) lives on the server its path hashes to. Directories are
 * real: creating needs an existing parent directory (docs/namespace.md). Sizes are kept by the servers, so several processes writing one
 * shared file end with the right size.
 *
 * Sizes follow close-to-open consistency. A handle remembers the size it saw
 * at open and the largest end written through it. benchfs_pwrite sends only
 * the chunks (one RPC per chunk touched); the handle's written end reaches
 * the metadata server (which keeps the larger of its size and the pushed one)
 * at benchfs_fsync, benchfs_close, benchfs_fsize, and benchfs_stat of the
 * path through the same context. benchfs_pread within the size the handle
 * knows reads the chunks; a read reaching past it asks the metadata server
 * for the size once before deciding where the file ends. So what one process
 * wrote and closed (or synced) is seen, with its size, by every process that
 * opens or stats the file afterwards.
 *
 * Errors: every function returning int returns 0 (or a count) on success and
 * a negative errno on failure (-ENOENT, -EEXIST, -ENOTDIR, -EISDIR,
 * -ENOTEMPTY, -EXDEV, -ENAMETOOLONG, -EINVAL, -EIO, -ETIMEDOUT, -EHOSTUNREACH...).
 * benchfs_last_error() gives a human-readable message for the calling
 * thread's last failed call.
 */
#ifndef BENCHFS_BENCHFS_H_
#define BENCHFS_BENCHFS_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCHFS_API_VERSION 1

typedef struct benchfs_context benchfs_context;
typedef struct benchfs_file benchfs_file;

/* Where the servers are and how to reach them. Zero-initialise, then set. */
struct benchfs_options {
  /* Comma-separated host:port list, in placement order; or NULL. */
  const char* servers;
  /* A registry directory (one *.addr file per server, as benchfsd
   * --registry writes them); used when `servers` is NULL. */
  const char* registry;
  /* Bytes per chunk; 0 = the servers' own (they must all agree). A value
   * that differs from the servers' is refused with -EINVAL. */
  uint64_t chunk_size;
  /* UCX transports (UCX_TLS), e.g. "tcp" or "shm,self"; NULL = default. */
  const char* ucx_tls;
  /* Deadline of each RPC in milliseconds; 0 = the library's default. */
  uint32_t timeout_ms;
};

/* Connects to every server. On failure returns NULL and, when `err` is not
 * NULL, stores a negative errno there; benchfs_last_error() says why. */
benchfs_context* benchfs_init(const struct benchfs_options* options, int* err);
/* Closes every open handle, disconnects and stops the library's thread. */
int benchfs_finalize(benchfs_context* ctx);
/* The calling thread's last error message ("" if none). */
const char* benchfs_last_error(void);

/* open(2)-like: O_CREAT, O_EXCL, O_TRUNC, O_RDONLY/O_WRONLY/O_RDWR, O_APPEND
 * is refused (-EINVAL); other flags (O_CLOEXEC, O_DIRECT, ...) are ignored.
 * benchfs_create adds O_CREAT; benchfs_open with O_CREAT creates with mode
 * 0644. O_TRUNC sets the size to 0 and drops the chunks. Errors: -ENOENT (no
 * such file, or creating in a missing parent directory), -ENOTDIR (a parent
 * is a file), -EEXIST (O_CREAT|O_EXCL and the path exists), -EISDIR (the path
 * is a directory). Paths are absolute and
 * normalised ("/a/b"); a longer one than 4096 bytes, or a component longer
 * than 255, is -ENAMETOOLONG. Returns NULL and stores -errno in *err (when
 * `err` is not NULL) on failure, 0 on success. */
benchfs_file* benchfs_create(benchfs_context* ctx, const char* path, int flags, mode_t mode, int* err);
benchfs_file* benchfs_open(benchfs_context* ctx, const char* path, int flags, int* err);
/* Pushes the handle's size (see above) and frees the handle, even when the
 * push fails (the error is returned). */
int benchfs_close(benchfs_file* file);

/* Exact counts: pread returns the bytes read, fewer only at end of file (0
 * at or past it); holes read as zeros. pwrite returns `count` or an error.
 * Both split the range at chunk boundaries. */
ssize_t benchfs_pread(benchfs_file* file, void* buf, size_t count, off_t offset);
ssize_t benchfs_pwrite(benchfs_file* file, const void* buf, size_t count, off_t offset);
int benchfs_fsync(benchfs_file* file);
/* The file's size as the servers keep it. */
int benchfs_fsize(benchfs_file* file, uint64_t* size);

struct benchfs_stat {
  uint64_t id;      /* stable file id (kept across rename) */
  uint64_t size;
  uint32_t mode;    /* permission bits plus S_IFREG or S_IFDIR */
  int64_t ctime_ns; /* CLOCK_REALTIME nanoseconds */
  int64_t mtime_ns;
};

int benchfs_stat(benchfs_context* ctx, const char* path, struct benchfs_stat* st);
/* Removes a file's metadata and its chunks: -ENOENT, -EISDIR (a directory). */
int benchfs_unlink(benchfs_context* ctx, const char* path);
/* Sets the size; a shrink drops the chunks' bytes past it, so they read as
 * zeros after a later extension. -ENOENT, -EISDIR. */
int benchfs_truncate(benchfs_context* ctx, const char* path, uint64_t size);
/* -EEXIST, -ENOENT (missing parent), -ENOTDIR (the parent is a file). */
int benchfs_mkdir(benchfs_context* ctx, const char* path, mode_t mode);
/* Removes an empty directory: -ENOENT, -ENOTDIR (a file), -ENOTEMPTY. */
int benchfs_rmdir(benchfs_context* ctx, const char* path);
/* Renames a file or an empty directory, replacing a file (or an empty
 * directory) at `to`. The sizes pending in this context's handles of `from`
 * are pushed first; the handles stay usable. -ENOENT, -ENOTDIR, -EISDIR,
 * -ENOTEMPTY (`to` is a non-empty directory), -EINVAL (into itself), -EXDEV
 * (`from` is a non-empty directory: entries are keyed by full path). */
int benchfs_rename(benchfs_context* ctx, const char* from, const char* to);

/* readdir: calls `fn` once per entry of directory `path` (names only, no
 * "." or ".."), in no particular order, until it returns non-zero (which
 * stops the walk and is returned). Entries are fetched in pages; `fn` runs
 * on the calling thread and may call the library. -ENOENT, -ENOTDIR. */
typedef int (*benchfs_dirent_fn)(void* arg, const char* name, const struct benchfs_stat* st);
int benchfs_readdir(benchfs_context* ctx, const char* path, benchfs_dirent_fn fn, void* arg);

struct benchfs_statfs {
  uint32_t servers;
  uint64_t chunk_size;
  uint64_t total_bytes; /* summed over the servers' data file systems */
  uint64_t free_bytes;  /* summed likewise */
  uint64_t files;       /* metadata records held by the servers */
  uint64_t used_bytes;  /* chunk bytes the servers hold */
};
int benchfs_statfs(benchfs_context* ctx, struct benchfs_statfs* st);

#ifdef __cplusplus
}
#endif

#endif /* BENCHFS_BENCHFS_H_ */

/* -*- mode: c; c-basic-offset: 8; indent-tabs-mode: t; -*-
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * This file is part of IOR. It is distributed under IOR's licence, the GNU
 * General Public License version 2 (see IOR's COPYRIGHT file); it is kept in
 * its own folder of BenchFS (contrib/ior/) and compiled only into IOR.
 *
 * The BenchFS backend of IOR and mdtest: the abstract I/O interface on
 * libbenchfs (include/benchfs/benchfs.h), the C client library of the
 * BenchFS servers (benchfsd).
 *
 *   ior    -a BENCHFS --benchfs.servers=HOST:PORT,HOST:PORT ...
 *   mdtest -a BENCHFS --benchfs.registry=DIR ...
 *
 * Every call maps to one libbenchfs call; nothing is emulated. The calls
 * BenchFS has no counterpart for (mknod, sync) are left unset, so IOR and
 * mdtest say so when a run asks for them (mdtest -k, -y); so are mkdir,
 * rmdir, rename and statfs when the libbenchfs IOR is built against lacks
 * them (configure checks for each: HAVE_BENCHFS_RMDIR, ...), and IOR then
 * warns that it falls back to its POSIX calls. BenchFS keeps no owners and
 * checks no permissions, so access() succeeds for every path that exists.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <benchfs/benchfs.h>

#include "ior.h"
#include "aiori.h"
#include "utilities.h"

/* The options of the backend (--benchfs.*); environment variables of the
 * same meaning fill what the command line leaves unset. */
struct benchfs_aiori_options {
	char *servers;        /* host:port,host:port (placement order) */
	char *registry;       /* directory of the servers' *.addr files */
	uint64_t chunk_size;  /* 0 = the servers' */
	char *ucx_tls;        /* UCX transports, e.g. tcp */
	int timeout_ms;       /* RPC deadline; 0 = the library's default */
};

/* One open file: its handle and its path (for messages). */
struct benchfs_aiori_file {
	benchfs_file *file;
	char *path;
};

/* IOR's backends are per process: one context, opened by initialize and
 * closed by finalize (once per test in ior, once per run in mdtest). */
static benchfs_context *ctx = NULL;
static aiori_xfer_hint_t *hints = NULL;
/* The owner stat reports (BenchFS keeps none): the process's, read once at
 * initialize rather than by two system calls per stat. */
static uid_t owner_uid;
static gid_t owner_gid;

static option_help *BENCHFS_options(aiori_mod_opt_t **init_backend_options,
				    aiori_mod_opt_t *init_values)
{
	struct benchfs_aiori_options *o = malloc(sizeof(*o));

	if (o == NULL)
		ERR("out of memory for the BenchFS options");
	if (init_values != NULL)
		memcpy(o, init_values, sizeof(*o));
	else
		memset(o, 0, sizeof(*o));
	*init_backend_options = (aiori_mod_opt_t *)o;

	option_help h[] = {
		{0, "benchfs.servers", "comma-separated host:port list of the benchfsd servers, in placement order (else $BENCHFS_SERVERS)",
		 OPTION_OPTIONAL_ARGUMENT, 's', &o->servers},
		{0, "benchfs.registry", "directory where the servers published their addresses (benchfsd --registry; else $BENCHFS_REGISTRY)",
		 OPTION_OPTIONAL_ARGUMENT, 's', &o->registry},
		{0, "benchfs.chunk-size", "bytes per chunk, must match the servers' (0 = theirs)",
		 OPTION_OPTIONAL_ARGUMENT, 'u', &o->chunk_size},
		{0, "benchfs.ucx-tls", "UCX transports, e.g. tcp or shm,self (else $BENCHFS_UCX_TLS, then UCX's default)",
		 OPTION_OPTIONAL_ARGUMENT, 's', &o->ucx_tls},
		{0, "benchfs.timeout-ms", "deadline of each RPC in milliseconds (0 = the library's default)",
		 OPTION_OPTIONAL_ARGUMENT, 'd', &o->timeout_ms},
		LAST_OPTION
	};
	option_help *help = malloc(sizeof(h));

	if (help == NULL)
		ERR("out of memory for the BenchFS options");
	memcpy(help, h, sizeof(h));
	return help;
}

/* The option's value, else the environment variable's, else NULL. */
static const char *option_or_env(const char *value, const char *env)
{
	if (value != NULL && value[0] != '\0')
		return value;
	value = getenv(env);
	return (value != NULL && value[0] != '\0') ? value : NULL;
}

static int BENCHFS_check_params(aiori_mod_opt_t *param)
{
	struct benchfs_aiori_options *o = (struct benchfs_aiori_options *)param;

	if (option_or_env(o->servers, "BENCHFS_SERVERS") == NULL &&
	    option_or_env(o->registry, "BENCHFS_REGISTRY") == NULL) {
		if (rank == 0)
			fprintf(out_logfile, "ERROR: the BenchFS backend needs the servers: "
				"--benchfs.servers=HOST:PORT,... or --benchfs.registry=DIR "
				"(or $BENCHFS_SERVERS / $BENCHFS_REGISTRY)\n");
		return 1;
	}
	if (o->timeout_ms < 0) {
		if (rank == 0)
			fprintf(out_logfile, "ERROR: --benchfs.timeout-ms must not be negative (got %d)\n",
				o->timeout_ms);
		return 1;
	}
	return 0;
}

static void BENCHFS_xfer_hints(aiori_xfer_hint_t *params)
{
	hints = params;
}

static void BENCHFS_initialize(aiori_mod_opt_t *param)
{
	struct benchfs_aiori_options *o = (struct benchfs_aiori_options *)param;
	struct benchfs_options opts;
	int err = 0;

	if (ctx != NULL)
		return;
	if (BENCHFS_check_params(param) != 0)
		ERR("the BenchFS backend has no servers to connect to");
	memset(&opts, 0, sizeof(opts));
	opts.servers = option_or_env(o->servers, "BENCHFS_SERVERS");
	opts.registry = opts.servers == NULL ? option_or_env(o->registry, "BENCHFS_REGISTRY") : NULL;
	opts.chunk_size = o->chunk_size;
	opts.ucx_tls = option_or_env(o->ucx_tls, "BENCHFS_UCX_TLS");
	opts.timeout_ms = (uint32_t)o->timeout_ms;
	owner_uid = getuid();
	owner_gid = getgid();
	ctx = benchfs_init(&opts, &err);
	if (ctx == NULL)
		ERRF("benchfs_init (%s %s) failed: %s (%s)",
		     opts.servers != NULL ? "servers" : "registry",
		     opts.servers != NULL ? opts.servers : opts.registry,
		     benchfs_last_error(), strerror(-err));
}

static void BENCHFS_finalize(aiori_mod_opt_t *param)
{
	int r;

	if (ctx == NULL)
		return;
	r = benchfs_finalize(ctx);
	ctx = NULL;
	if (r < 0)
		WARNF("benchfs_finalize failed: %s (%s)", benchfs_last_error(), strerror(-r));
}

static char *BENCHFS_version(void)
{
	static char version[32];

	snprintf(version, sizeof(version), "libbenchfs API %d", BENCHFS_API_VERSION);
	return version;
}

/* libbenchfs takes normalised absolute paths ("/a/b"); IOR and mdtest pass
 * POSIX ones such as "/mdtest/tree.0/" or "/a//b/./c". This drops repeated
 * slashes, "." components and a trailing slash, as the kernel does when it
 * walks a path; anything else (a relative path, "..") is passed on for the
 * library to judge. `out` holds PATH_MAX bytes; a longer path is passed on
 * as it is (the library refuses it with ENAMETOOLONG). */
static const char *normalise(const char *path, char *out)
{
	size_t n = 0;
	const char *p = path;

	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return path;
	while (*p != '\0') {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p = end;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

static int open_flags(int iorflags)
{
	int flags;

	if (iorflags & IOR_RDONLY)
		flags = O_RDONLY;
	else if (iorflags & IOR_WRONLY)
		flags = O_WRONLY;
	else
		flags = O_RDWR;
	if (iorflags & IOR_EXCL)
		flags |= O_EXCL;
	return flags;
}

static aiori_fd_t *wrap(benchfs_file *file, const char *path)
{
	struct benchfs_aiori_file *f = malloc(sizeof(*f));

	if (f == NULL || (f->path = strdup(path)) == NULL)
		ERR("out of memory for a BenchFS file handle");
	f->file = file;
	return (aiori_fd_t *)f;
}

/* Like the POSIX backend: the file is created read-write and not truncated
 * (with a shared file every rank creates it, and a truncation could drop
 * another rank's first writes). */
static aiori_fd_t *BENCHFS_create(char *path, int iorflags, aiori_mod_opt_t *param)
{
	char norm[PATH_MAX];
	benchfs_file *file;
	int err = 0;
	int flags = O_CREAT | O_RDWR | ((iorflags & IOR_EXCL) ? O_EXCL : 0);

	if (hints->dryRun)
		return NULL;
	file = benchfs_create(ctx, normalise(path, norm), flags, 0664, &err);
	if (file == NULL)
		ERRF("benchfs_create(\"%s\", %#o) failed: %s (%s)", path, flags, benchfs_last_error(),
		     strerror(-err));
	return wrap(file, path);
}

static aiori_fd_t *BENCHFS_open(char *path, int iorflags, aiori_mod_opt_t *param)
{
	char norm[PATH_MAX];
	benchfs_file *file;
	int err = 0;
	int flags = open_flags(iorflags);

	if (hints->dryRun)
		return NULL;
	if (iorflags & IOR_CREAT)
		file = benchfs_create(ctx, normalise(path, norm), flags | O_CREAT, 0664, &err);
	else
		file = benchfs_open(ctx, normalise(path, norm), flags, &err);
	if (file == NULL)
		ERRF("benchfs_open(\"%s\", %#o) failed: %s (%s)", path, flags, benchfs_last_error(),
		     strerror(-err));
	return wrap(file, path);
}

/* One transfer, exact: a write moves every byte or fails; a read returns
 * fewer bytes only at the end of the file, and they are returned as they
 * are (IOR then reports the short transfer) - never padded. */
static IOR_offset_t BENCHFS_xfer(int access, aiori_fd_t *fd, IOR_size_t *buffer, IOR_offset_t length,
				 IOR_offset_t offset, aiori_mod_opt_t *param)
{
	struct benchfs_aiori_file *f = (struct benchfs_aiori_file *)fd;
	ssize_t r;

	if (hints->dryRun)
		return length;
	if (access == WRITE) {
		r = benchfs_pwrite(f->file, buffer, (size_t)length, (off_t)offset);
		if (r < 0)
			ERRF("benchfs_pwrite(\"%s\", %lld bytes at %lld) failed: %s (%s)", f->path,
			     (long long)length, (long long)offset, benchfs_last_error(), strerror((int)-r));
		if (hints->fsyncPerWrite) {
			int s = benchfs_fsync(f->file);

			if (s < 0)
				ERRF("benchfs_fsync(\"%s\") failed: %s (%s)", f->path, benchfs_last_error(),
				     strerror(-s));
		}
	} else {
		r = benchfs_pread(f->file, buffer, (size_t)length, (off_t)offset);
		if (r < 0)
			ERRF("benchfs_pread(\"%s\", %lld bytes at %lld) failed: %s (%s)", f->path,
			     (long long)length, (long long)offset, benchfs_last_error(), strerror((int)-r));
		if (r < length)
			WARNF("task %d: benchfs_pread(\"%s\", %lld bytes at %lld) read %lld bytes: the file ends there",
			      rank, f->path, (long long)length, (long long)offset, (long long)r);
	}
	return (IOR_offset_t)r;
}

static void BENCHFS_fsync(aiori_fd_t *fd, aiori_mod_opt_t *param)
{
	struct benchfs_aiori_file *f = (struct benchfs_aiori_file *)fd;
	int r;

	if (hints->dryRun)
		return;
	r = benchfs_fsync(f->file);
	if (r < 0)
		ERRF("benchfs_fsync(\"%s\") failed: %s (%s)", f->path, benchfs_last_error(), strerror(-r));
}

static void BENCHFS_close(aiori_fd_t *fd, aiori_mod_opt_t *param)
{
	struct benchfs_aiori_file *f = (struct benchfs_aiori_file *)fd;
	int r;

	if (hints->dryRun)
		return;
	r = benchfs_close(f->file);
	if (r < 0)
		ERRF("benchfs_close(\"%s\") failed: %s (%s)", f->path, benchfs_last_error(), strerror(-r));
	free(f->path);
	free(f);
}

static void BENCHFS_delete(char *path, aiori_mod_opt_t *param)
{
	char norm[PATH_MAX];
	int r;

	if (hints->dryRun)
		return;
	r = benchfs_unlink(ctx, normalise(path, norm));
	if (r < 0)
		WARNF("[RANK %03d]: benchfs_unlink(\"%s\") failed: %s (%s)", rank, path, benchfs_last_error(),
		      strerror(-r));
}

static IOR_offset_t BENCHFS_get_file_size(aiori_mod_opt_t *param, char *path)
{
	char norm[PATH_MAX];
	struct benchfs_stat st;
	int r;

	if (hints->dryRun)
		return 0;
	r = benchfs_stat(ctx, normalise(path, norm), &st);
	if (r < 0)
		ERRF("benchfs_stat(\"%s\") failed: %s (%s)", path, benchfs_last_error(), strerror(-r));
	return (IOR_offset_t)st.size;
}

/* The servers' data file systems, summed. Inodes: BenchFS sets no limit on
 * its metadata records, so the total is the largest value IOR prints
 * (INT64_MAX) and the free count is what the records the servers hold leave
 * of it. */
#ifdef HAVE_BENCHFS_STATFS
static int BENCHFS_statfs(const char *path, ior_aiori_statfs_t *out, aiori_mod_opt_t *param)
{
	struct benchfs_statfs st;
	int r;

	if (hints != NULL && hints->dryRun)
		return 0;
	r = benchfs_statfs(ctx, &st);
	if (r < 0) {
		WARNF("benchfs_statfs failed: %s (%s)", benchfs_last_error(), strerror(-r));
		errno = -r;
		return -1;
	}
	out->f_bsize = st.chunk_size > 0 ? st.chunk_size : 4096;
	out->f_blocks = st.total_bytes / out->f_bsize;
	out->f_bfree = st.free_bytes / out->f_bsize;
	out->f_bavail = out->f_bfree;
	out->f_files = INT64_MAX;
	out->f_ffree = st.files < (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX - st.files : 0;
	return 0;
}
#endif

/* A failed call returns -1 with errno set, as the POSIX calls do: IOR and
 * mdtest print their own message naming the path. */
static int fail(int r)
{
	errno = -r;
	return -1;
}

#ifdef HAVE_BENCHFS_MKDIR
static int BENCHFS_mkdir(const char *path, mode_t mode, aiori_mod_opt_t *param)
{
	char norm[PATH_MAX];
	int r;

	if (hints != NULL && hints->dryRun)
		return 0;
	r = benchfs_mkdir(ctx, normalise(path, norm), mode);
	if (r < 0) {
		if (verbose >= VERBOSE_1)
			INFOF("benchfs_mkdir(\"%s\"): %s", path, benchfs_last_error());
		return fail(r);
	}
	return 0;
}
#endif

#ifdef HAVE_BENCHFS_RMDIR
static int BENCHFS_rmdir(const char *path, aiori_mod_opt_t *param)
{
	char norm[PATH_MAX];
	int r;

	if (hints != NULL && hints->dryRun)
		return 0;
	r = benchfs_rmdir(ctx, normalise(path, norm));
	if (r < 0) {
		if (verbose >= VERBOSE_1)
			INFOF("benchfs_rmdir(\"%s\"): %s", path, benchfs_last_error());
		return fail(r);
	}
	return 0;
}
#endif

#ifdef HAVE_BENCHFS_RENAME
static int BENCHFS_rename(const char *from, const char *to, aiori_mod_opt_t *param)
{
	char norm_from[PATH_MAX], norm_to[PATH_MAX];
	int r;

	if (hints != NULL && hints->dryRun)
		return 0;
	r = benchfs_rename(ctx, normalise(from, norm_from), normalise(to, norm_to));
	if (r < 0) {
		WARNF("[RANK %03d]: benchfs_rename(\"%s\", \"%s\") failed: %s (%s)", rank, from, to,
		      benchfs_last_error(), strerror(-r));
		return fail(r);
	}
	return 0;
}
#endif

static int BENCHFS_access(const char *path, int mode, aiori_mod_opt_t *param)
{
	char norm[PATH_MAX];
	struct benchfs_stat st;
	int r;

	if (hints != NULL && hints->dryRun)
		return 0;
	r = benchfs_stat(ctx, normalise(path, norm), &st);
	return r < 0 ? fail(r) : 0;
}

static int BENCHFS_stat(const char *path, struct stat *buf, aiori_mod_opt_t *param)
{
	char norm[PATH_MAX];
	struct benchfs_stat st;
	int r;

	if (hints != NULL && hints->dryRun)
		return 0;
	r = benchfs_stat(ctx, normalise(path, norm), &st);
	if (r < 0)
		return fail(r);
	memset(buf, 0, sizeof(*buf));
	buf->st_ino = (ino_t)st.id;
	buf->st_mode = (mode_t)st.mode;
	buf->st_nlink = S_ISDIR(st.mode) ? 2 : 1;
	buf->st_uid = owner_uid;
	buf->st_gid = owner_gid;
	buf->st_size = (off_t)st.size;
	buf->st_blksize = 4096;
	buf->st_blocks = (blkcnt_t)((st.size + 511) / 512);
	buf->st_mtim.tv_sec = st.mtime_ns / 1000000000;
	buf->st_mtim.tv_nsec = st.mtime_ns % 1000000000;
	buf->st_ctim.tv_sec = st.ctime_ns / 1000000000;
	buf->st_ctim.tv_nsec = st.ctime_ns % 1000000000;
	buf->st_atim = buf->st_mtim;
	return 0;
}

ior_aiori_t benchfs_aiori = {
	.name = "BENCHFS",
	.name_legacy = NULL,
	.create = BENCHFS_create,
	.open = BENCHFS_open,
	.xfer_hints = BENCHFS_xfer_hints,
	.xfer = BENCHFS_xfer,
	.close = BENCHFS_close,
	.remove = BENCHFS_delete,
	.get_version = BENCHFS_version,
	.fsync = BENCHFS_fsync,
	.get_file_size = BENCHFS_get_file_size,
#ifdef HAVE_BENCHFS_STATFS
	.statfs = BENCHFS_statfs,
#endif
#ifdef HAVE_BENCHFS_MKDIR
	.mkdir = BENCHFS_mkdir,
#endif
#ifdef HAVE_BENCHFS_RMDIR
	.rmdir = BENCHFS_rmdir,
#endif
	.access = BENCHFS_access,
	.stat = BENCHFS_stat,
#ifdef HAVE_BENCHFS_RENAME
	.rename = BENCHFS_rename,
#endif
	.initialize = BENCHFS_initialize,
	.finalize = BENCHFS_finalize,
	.get_options = BENCHFS_options,
	.check_params = BENCHFS_check_params,
	.enable_mdtest = true,
};

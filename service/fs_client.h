// SPDX-License-Identifier: BSD-3-Clause
// FsClient: the typed client of one or more benchfsd servers. It connects to
// every server at once (eagerly and concurrently, host:port or a registry
// entry), places metadata and chunks with Placement (jump consistent hash),
// and turns each file-system operation into one RPC whose failure comes back
// as a Status naming the server. With ConnectOptions::exclude_unreachable a
// server that cannot be reached - at set-up or by a later call's deadline -
// is excluded for the rest of the client's life: calls it would own fail at
// once (UNAVAILABLE, counted per server), so one bad node costs its share of
// the operations and one deadline, never a wedged or crawling run.
//
// Two layers of calls. The raw ones (Create, Stat, Delete, Update,
// WriteChunk, ReadChunk, Remove) are one RPC each with no namespace rules:
// `benchfs bench small` measures them, and its path-keyed chunks are named by
// the path itself. The namespace calls (Mkdir, CreateFile, Rmdir, Unlink,
// Rename, Readdir, Truncate, StatFs and the *Of chunk calls) follow POSIX
// rules and name a file's chunks by its stable inode id (docs/namespace.md).
// Every failure keeps its errno: ErrnoOf(status) is what open(2) & co. would
// set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "measure/breakdown.h"
#include "rpc/client.h"
#include "service/ops.h"
#include "service/parent_cache.h"
#include "service/placement.h"

namespace benchfs {

// Where a server is: "host:port", a registry entry (dir + name), or a worker
// address handed over directly (e.g. exchanged over MPI).
struct ServerRef {
  std::string host;
  uint16_t port = 0;
  std::string registry_dir;
  std::string registry_name;
  std::vector<std::byte> worker_address;
  std::string label;  // names a worker-address server in messages

  static Result<ServerRef> Parse(const std::string& host_port);
  std::string ToString() const;
};

// Every entry of registry `dir` (names of *.addr files, sorted). Reads the
// directory synchronously: call at start-up.
Result<std::vector<ServerRef>> ListRegistry(const std::string& dir);

struct ConnectOptions {
  // Exclude servers that cannot be reached instead of failing (at least one
  // must answer).
  bool exclude_unreachable = false;
};

// Per server: what its calls cost this client.
struct ServerCallStats {
  uint64_t calls = 0;           // calls routed to it, including failed-at-once ones
  uint64_t failed = 0;          // of which failed (any status)
  uint64_t excluded_calls = 0;  // of which failed at once because it was excluded
  double connect_s = 0;         // how long its connection took to set up (or to fail)
};

// The chunk-store name of the chunks of the file with inode id `file_id`:
// "/.benchfs-id/<16 hex digits>". Placed with Placement::ChunkOwnerOfId.
std::string ChunkNameOf(uint64_t file_id);

// A directory entry: its name (the last component) and inode.
struct DirEntry {
  std::string name;
  Inode inode;
};

// One page of Readdir: entries, and the cursor of the next page ("" = none).
struct DirPage {
  std::vector<DirEntry> entries;
  std::string next;
};

// StatFs: what every server reports, summed.
struct FsTotals {
  uint32_t servers = 0;
  uint64_t chunk_size = 0;
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t files = 0;  // metadata entries (files and directories)
};

class FsClient {
 public:
  // From a fiber: connects to every server concurrently, each within
  // config.connect_timeout (server i is index i of the placement).
  static Result<std::unique_ptr<FsClient>> Connect(UcxReactor& ucx, const std::vector<ServerRef>& servers,
                                                   const RpcClientConfig& config,
                                                   const ConnectOptions& options = {});
  ~FsClient();

  Result<Inode> Create(const std::string& path, uint32_t mode = 0644, InodeType type = InodeType::kFile);
  Result<Inode> Stat(const std::string& path);
  // META_DELETE only: the metadata entry (the benchmark's `delete`).
  Status Delete(const std::string& path);
  // Removes a file: its metadata entry, then its chunks on every server
  // (chunks are placed by index, so each server is asked). NOT_FOUND if it
  // had neither a metadata entry nor chunks.
  Status Remove(const std::string& path);
  // Asks `server` to measure its own bare storage (FLOOR).
  Result<FloorFigures> Floor(uint32_t server, const FloorArgs& args);
  // Removes every file whose path starts with `prefix` (which starts with
  // '/'), metadata and chunks, on every server (but excluded ones, whose
  // files stay); what was removed, summed. Each server gets up to
  // kPrefixRemovalTimeout, whatever the call timeout: it unlinks every file
  // a run left there (10 000 chunk files took over 5 s in a sanitizer build).
  Result<RemoveCounts> RemovePrefix(const std::string& prefix);
  static constexpr Duration kPrefixRemovalTimeout = std::chrono::minutes(2);
  Result<Inode> Update(const std::string& path, const InodeUpdate& update);
  // Chunk I/O goes to the chunk's owner. Buffers follow the RPC contract:
  // handed back when the call returns.
  Status WriteChunk(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& data, size_t len);
  Result<size_t> ReadChunk(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& buf,
                           size_t len);
  // Syncs `path` ("" = metadata only) on every server.
  Status Fsync(const std::string& path);

  // --- The namespace (POSIX errnos; docs/namespace.md) ---
  // Creates a directory. Its parent must exist and be a directory (one STAT
  // of the parent unless it is "/"): ENOENT / ENOTDIR; EEXIST if taken.
  Result<Inode> Mkdir(const std::string& path, uint32_t mode = 0755);
  // Exclusive create of a regular file, with the same parent check as Mkdir.
  Result<Inode> CreateFile(const std::string& path, uint32_t mode = 0644);
  // Removes an empty directory: ENOENT, ENOTDIR (a file), ENOTEMPTY (a child
  // on any server: every server is asked), EBUSY for "/".
  Status Rmdir(const std::string& path);
  // Removes a file's metadata, then its chunks (none for a file of size 0):
  // ENOENT, EISDIR.
  Status Unlink(const std::string& path);
  // POSIX rename: replaces a file by a file or an empty directory by a
  // directory (the replaced file's chunks are removed); ENOENT (source or the
  // target's parent), ENOTDIR / EISDIR (type mismatch), ENOTEMPTY (target
  // directory), EINVAL (into itself), EBUSY ("/"), EXDEV (a non-empty
  // directory: its descendants' paths would all move). The inode, its id and
  // so its chunks stay; across servers the record is written at the new owner,
  // then removed at the old.
  Status Rename(const std::string& from, const std::string& to);
  // One page of directory `dir`'s entries (no "." or ".."): pass "" as
  // `cursor` first, then the page's `next` until it is "". At most `limit`
  // entries per page (0 = the server's page size); a page may hold fewer.
  // ENOENT / ENOTDIR for `dir`, EINVAL for a cursor this call did not make.
  Result<DirPage> Readdir(const std::string& dir, const std::string& cursor = "", size_t limit = 0);
  // Sets a file's size: shrinking cuts its chunks on every server, growing
  // leaves a hole that reads as zeros. ENOENT, EISDIR. Returns the new inode.
  Result<Inode> Truncate(const std::string& path, uint64_t size);
  // Every server's capacity and records, summed; EINVAL if the servers
  // disagree on the chunk size. Remembers the chunk size (see RemoveChunksOf).
  Result<FsTotals> StatFs();

  // --- Chunk I/O of namespace files, by inode id (ChunkNameOf) ---
  // A writer records a non-zero size on the file's metadata (Update) before
  // it writes the file's first chunk: Unlink asks no server for the chunks of
  // a file whose size is 0.
  Status WriteChunkOf(uint64_t file_id, uint64_t index, uint64_t offset, IoBuffer& data, size_t len);
  // NOT_FOUND (ENOENT) for a chunk never written: a hole, zeros up to the file's size.
  Result<size_t> ReadChunkOf(uint64_t file_id, uint64_t index, uint64_t offset, IoBuffer& buf, size_t len);
  // Removes the chunks of `file_id`. When the chunk size is known (StatFs or
  // set_chunk_size), only the servers that can hold a chunk below `size`
  // are asked (at least one); otherwise every server.
  Status RemoveChunksOf(uint64_t file_id, uint64_t size);
  // Makes the file's acknowledged chunk writes and all metadata durable on every server.
  Status FsyncOf(uint64_t file_id);
  void set_chunk_size(uint64_t bytes) { chunk_size_ = bytes; }
  uint64_t chunk_size() const { return chunk_size_; }

  // Per-server calls.
  Status Ping(uint32_t server, IoBuffer* payload = nullptr, size_t len = 0, IoBuffer* reply = nullptr);
  Result<std::vector<std::pair<std::string, uint64_t>>> ServerStatus(uint32_t server);
  Status Shutdown(uint32_t server);

  uint32_t servers() const { return static_cast<uint32_t>(connections_.size()); }
  // While set, every call asks its server for a trace and records it into
  // `b` (measure/breakdown.h), timed from *op_start (the load generator's
  // start of the operation; LoadSpec::op_start) to its own clock read when
  // the reply has arrived. Null stops.
  void SetTracer(Breakdown* b, const TimePoint* op_start) {
    tracer_ = b;
    op_start_ = op_start;
  }
  // True when the last call to every server failed because the server could
  // not be reached (UNAVAILABLE: connection lost or server shutting down;
  // TIMED_OUT: no answer before the call deadline). A success clears it.
  bool AllUnreachable() const { return unreachable_count_ == servers() && servers() > 0; }
  // "host:port: why" for every unreachable server, joined by "; ".
  std::string UnreachableReport() const;
  // With exclude_unreachable: whether server i is excluded, and why.
  bool excluded(uint32_t i) const { return !excluded_[i].ok(); }
  const Status& exclusion(uint32_t i) const { return excluded_[i]; }
  uint32_t first_reachable() const;  // the first server not excluded (0 if none is)
  const ServerCallStats& call_stats(uint32_t i) const { return call_stats_[i]; }
  double connect_seconds() const { return connect_s_; }  // the whole set-up, all servers
  const Placement& placement() const { return placement_; }
  // Null for a server excluded at set-up.
  Connection* connection(uint32_t server) { return connections_[server]; }
  const ServerRef& server(uint32_t i) const { return refs_[i]; }
  RpcClient& rpc() { return *rpc_; }

 private:
  FsClient(std::unique_ptr<RpcClient> rpc, std::vector<ServerRef> refs);
  // deadline: kNoDeadline is now + the call timeout.
  Result<Reply> Call(uint32_t server, Opcode op, const std::vector<std::byte>& header,
                     IoBuffer* payload = nullptr, size_t payload_len = 0, IoBuffer* reply_buffer = nullptr,
                     TimePoint deadline = kNoDeadline);
  Result<Inode> InodeCall(uint32_t server, Opcode op, const std::vector<std::byte>& header);
  void Note(uint32_t server, const Status& s);  // reachability, from a call's result
  // Counts a call to `server`; UNAVAILABLE (counted as failed) if it is excluded.
  Status Admit(uint32_t server);
  Result<MoveResult> MoveCall(uint32_t server, Opcode op, const std::vector<std::byte>& header);
  Result<Inode> UnlinkCall(const std::string& path, UnlinkKind kind, uint64_t expect_id);
  // ENOENT / ENOTDIR unless the parent of `path` is a directory.
  Status CheckParent(const std::string& path);
  // Whether any server holds an entry under directory `dir`.
  Result<bool> HasChildren(const std::string& dir);
  // Create after the parent check (Mkdir, CreateFile); a parent found to
  // exist is not checked again while its server's epoch stays (ParentCache).
  Result<Inode> CreateChecked(const std::string& path, uint32_t mode, InodeType type);
  // NS_EPOCH to `server`: its namespace epoch, moved first when `bump`.
  Result<uint64_t> NsEpoch(uint32_t server, bool bump);
  // Moves every server's epoch (rmdir, directory rename: before and after
  // the removal), so no client creates under a parent checked before it.
  Status BumpEpochs();
  // The move of a rename whose checks have passed.
  Status MoveEntry(const std::string& from, const std::string& to, const Inode& src);

  std::unique_ptr<RpcClient> rpc_;
  std::vector<ServerRef> refs_;
  std::vector<Connection*> connections_;
  // Per server: its last call failed for want of the server (UNAVAILABLE or
  // TIMED_OUT), and why.
  std::vector<Status> unreachable_;
  uint32_t unreachable_count_ = 0;
  bool exclude_unreachable_ = false;
  std::vector<Status> excluded_;  // per server: why it is excluded (ok: it is not)
  std::vector<ServerCallStats> call_stats_;
  double connect_s_ = 0;
  Breakdown* tracer_ = nullptr;
  const TimePoint* op_start_ = nullptr;
  Placement placement_;
  uint64_t chunk_size_ = 0;  // 0 = unknown
  ParentCache parents_;
};

}  // namespace benchfs

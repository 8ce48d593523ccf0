// FsClient: the typed client of one or more benchfsd servers. It connects to
// each server (host:port or a registry entry), places metadata and chunks
// with Placement (jump consistent hash), and turns each file-system operation
// into one RPC whose failure comes back as a Status naming the server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "measure/breakdown.h"
#include "rpc/client.h"
#include "service/ops.h"
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

class FsClient {
 public:
  // From a fiber: connects to every server (in order; server i is index i of
  // the placement).
  static Result<std::unique_ptr<FsClient>> Connect(UcxReactor& ucx, const std::vector<ServerRef>& servers,
                                                   const RpcClientConfig& config);
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
  // '/'), metadata and chunks, on every server; what was removed, summed.
  Result<RemoveCounts> RemovePrefix(const std::string& prefix);
  Result<Inode> Update(const std::string& path, const InodeUpdate& update);
  // Chunk I/O goes to the chunk's owner. Buffers follow the RPC contract:
  // handed back when the call returns.
  Status WriteChunk(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& data, size_t len);
  Result<size_t> ReadChunk(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& buf,
                           size_t len);
  // Syncs `path` ("" = metadata only) on every server.
  Status Fsync(const std::string& path);

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
  const Placement& placement() const { return placement_; }
  Connection* connection(uint32_t server) { return connections_[server]; }
  const ServerRef& server(uint32_t i) const { return refs_[i]; }
  RpcClient& rpc() { return *rpc_; }

 private:
  FsClient(std::unique_ptr<RpcClient> rpc, std::vector<ServerRef> refs);
  Result<Reply> Call(uint32_t server, Opcode op, const std::vector<std::byte>& header,
                     IoBuffer* payload = nullptr, size_t payload_len = 0, IoBuffer* reply_buffer = nullptr);
  Result<Inode> InodeCall(uint32_t server, Opcode op, const std::vector<std::byte>& header);
  void Note(uint32_t server, const Status& s);  // reachability, from a call's result

  std::unique_ptr<RpcClient> rpc_;
  std::vector<ServerRef> refs_;
  std::vector<Connection*> connections_;
  // Per server: its last call failed for want of the server (UNAVAILABLE or
  // TIMED_OUT), and why.
  std::vector<Status> unreachable_;
  uint32_t unreachable_count_ = 0;
  Breakdown* tracer_ = nullptr;
  const TimePoint* op_start_ = nullptr;
  Placement placement_;
};

}  // namespace benchfs

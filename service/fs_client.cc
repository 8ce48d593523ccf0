// SPDX-License-Identifier: BSD-3-Clause
// FsClient: connection set-up, placement and the typed calls.
#include "service/fs_client.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>

#include "rpc/registry.h"
#include "rpc/server.h"

namespace benchfs {

Result<ServerRef> ServerRef::Parse(const std::string& host_port) {
  auto hp = SplitHostPort(host_port);
  if (!hp.ok()) return hp.status();
  if (hp->second == 0) {
    return Status::InvalidArgument("server '" + host_port + "': port 0 is not a server's port");
  }
  ServerRef r;
  r.host = hp->first;
  r.port = hp->second;
  return r;
}

std::string ServerRef::ToString() const {
  if (!worker_address.empty()) return label.empty() ? "worker address" : label;
  if (!registry_dir.empty()) return RegistryPath(registry_dir, registry_name);
  return host.find(':') != std::string::npos ? "[" + host + "]:" + std::to_string(port)
                                              : host + ":" + std::to_string(port);
}

Result<std::vector<ServerRef>> ListRegistry(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno(errno, "registry directory " + dir);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n.compare(n.size() - 5, 5, ".addr") == 0) names.push_back(n.substr(0, n.size() - 5));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<ServerRef> refs;
  for (auto& n : names) {
    ServerRef r;
    r.registry_dir = dir;
    r.registry_name = n;
    refs.push_back(r);
  }
  if (refs.empty()) {
    return Status::NotFound("registry directory " + dir + " has no server entries (*.addr)");
  }
  return refs;
}

FsClient::FsClient(std::unique_ptr<RpcClient> rpc, std::vector<ServerRef> refs)
    : rpc_(std::move(rpc)),
      refs_(std::move(refs)),
      placement_(static_cast<uint32_t>(refs_.size())),
      parents_(refs_.size()) {}

FsClient::~FsClient() = default;

Result<std::unique_ptr<FsClient>> FsClient::Connect(UcxReactor& ucx, const std::vector<ServerRef>& servers,
                                                    const RpcClientConfig& config, const ConnectOptions& options) {
  if (servers.empty()) return Status::InvalidArgument("no servers given");
  auto rpc = RpcClient::Create(ucx, config);
  if (!rpc.ok()) return rpc.status();
  std::unique_ptr<FsClient> c(new FsClient(std::move(rpc.value()), servers));
  const size_t n = servers.size();
  c->connections_.assign(n, nullptr);
  c->unreachable_.resize(n);
  c->excluded_.resize(n);
  c->call_stats_.resize(n);
  c->exclude_unreachable_ = options.exclude_unreachable;
  // Every server at once: set-up takes the slowest connection, not the sum,
  // and a server that does not answer costs one connect_timeout.
  std::vector<Status> failed(n);
  std::vector<FiberHandle> fibers;
  Executor& ex = ucx.executor();
  const TimePoint begin = Now();
  for (size_t i = 0; i < n; ++i) {
    fibers.push_back(ex.Spawn([&c, &failed, &servers, i, begin] {
      const ServerRef& ref = servers[i];
      auto conn = !ref.worker_address.empty() ? c->rpc_->ConnectAddress(ref.worker_address, ref.ToString())
                  : !ref.registry_dir.empty() ? c->rpc_->ConnectRegistry(ref.registry_dir, ref.registry_name)
                                              : c->rpc_->Connect(ref.host, ref.port);
      c->call_stats_[i].connect_s = std::chrono::duration<double>(Now() - begin).count();
      if (conn.ok()) {
        c->connections_[i] = *conn;
      } else {
        failed[i] = conn.status();
      }
    }));
  }
  for (FiberHandle& f : fibers) ex.Join(f);
  c->connect_s_ = std::chrono::duration<double>(Now() - begin).count();
  size_t reached = 0;
  for (size_t i = 0; i < n; ++i) {
    if (failed[i].ok()) {
      ++reached;
      continue;
    }
    if (!options.exclude_unreachable) return failed[i];
    c->excluded_[i] = failed[i];
    c->Note(static_cast<uint32_t>(i), failed[i].code() == StatusCode::kTimedOut ? failed[i]
                                                                                  : Status::Unavailable(failed[i].message()));
  }
  if (reached == 0) return failed.front();
  return c;
}

uint32_t FsClient::first_reachable() const {
  for (uint32_t i = 0; i < servers(); ++i) {
    if (excluded_[i].ok()) return i;
  }
  return 0;
}

std::string FsClient::UnreachableReport() const {
  std::string out;
  for (uint32_t i = 0; i < servers(); ++i) {
    if (unreachable_[i].ok()) continue;
    out += (out.empty() ? "" : "; ") + refs_[i].ToString() + ": " + unreachable_[i].message();
  }
  return out;
}

Status FsClient::Admit(uint32_t server) {
  ServerCallStats& st = call_stats_[server];
  ++st.calls;
  if (excluded_[server].ok()) return Status();
  ++st.failed;
  ++st.excluded_calls;
  return Status::Unavailable(refs_[server].ToString() + " is excluded: " + excluded_[server].message());
}

Result<Reply> FsClient::Call(uint32_t server, Opcode op, const std::vector<std::byte>& header,
                             IoBuffer* payload, size_t payload_len, IoBuffer* reply_buffer, TimePoint deadline) {
  ServerCallStats& st = call_stats_[server];
  Status admitted = Admit(server);
  if (!admitted.ok()) return admitted;
  CallArgs args;
  args.opcode = op;
  args.header = header;
  args.payload = payload;
  args.payload_len = payload_len;
  args.reply_buffer = reply_buffer;
  args.deadline = deadline;
  if (tracer_ == nullptr) {
    Result<Reply> r = rpc_->Call(connections_[server], args);
    st.failed += !r.ok();
    Note(server, r.ok() ? Status() : r.status());
    return r;
  }
  args.trace = true;
  const TimePoint sent = *op_start_;  // read before the call first waits
  Result<Reply> r = rpc_->Call(connections_[server], args);
  const TimePoint woke = Now();
  st.failed += !r.ok();
  Note(server, r.ok() ? Status() : r.status());
  if (r.ok() && r->trace) {
    const ServerTrace& t = *r->trace;
    tracer_->Record(SteadyNs(sent), SteadyNs(woke), t.received_ns, t.started_ns, t.sent_ns, t.io_ns, t.log_ns);
  }
  return r;
}

void FsClient::Note(uint32_t server, const Status& s) {
  // Only a change of state costs more than this test.
  const bool gone = s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kTimedOut;
  if (gone && exclude_unreachable_ && excluded_[server].ok()) excluded_[server] = s;
  if (gone == !unreachable_[server].ok()) return;
  unreachable_count_ += gone ? 1 : -1;
  unreachable_[server] = gone ? s : Status();
}

Result<Inode> FsClient::InodeCall(uint32_t server, Opcode op, const std::vector<std::byte>& header) {
  auto r = Call(server, op, header);
  if (!r.ok()) return r.status();
  return DecodeInode(r->header);
}

Result<Inode> FsClient::Create(const std::string& path, uint32_t mode, InodeType type) {
  return InodeCall(placement_.MetadataOwner(path), Opcode::kMetaCreate, EncodeCreate({path, type, mode}));
}

Result<Inode> FsClient::Stat(const std::string& path) {
  return InodeCall(placement_.MetadataOwner(path), Opcode::kMetaStat, EncodePath(path));
}

Status FsClient::Delete(const std::string& path) {
  return Call(placement_.MetadataOwner(path), Opcode::kMetaDelete, EncodePath(path)).status();
}

Status FsClient::Remove(const std::string& path) {
  Status meta = Delete(path);
  if (!meta.ok() && meta.code() != StatusCode::kNotFound) return meta;
  uint64_t files = 0;
  for (uint32_t i = 0; i < servers(); ++i) {
    auto r = Call(i, Opcode::kRemove, EncodeRemove({path, false, false}));
    auto c = r.ok() ? DecodeRemoveCounts(r->header) : Result<RemoveCounts>(r.status());
    if (!c.ok()) {
      return Status(c.status().code(), "removing the chunks of " + path + " on " + server(i).ToString() + ": " +
                                           c.status().message());
    }
    files += c->files;
  }
  // Chunks without a metadata entry (written by `bench small`) count as a file.
  return files > 0 ? Status() : meta;
}

Result<FloorFigures> FsClient::Floor(uint32_t server, const FloorArgs& args) {
  auto r = Call(server, Opcode::kFloor, EncodeFloor(args));
  if (!r.ok()) return r.status();
  return DecodeFloorFigures(r->header);
}

Result<RemoveCounts> FsClient::RemovePrefix(const std::string& prefix) {
  RemoveCounts total;
  for (uint32_t i = 0; i < servers(); ++i) {
    if (excluded(i)) continue;  // what it holds stays there (`benchfs gc` later)
    auto r = Call(i, Opcode::kRemove, EncodeRemove({prefix, true, true}), nullptr, 0, nullptr,
                  Now() + std::max(rpc_->config().call_timeout, kPrefixRemovalTimeout));
    if (!r.ok() && excluded(i)) continue;  // it stopped answering just now
    if (!r.ok()) return Status(r.status().code(), server(i).ToString() + ": " + r.status().message());
    auto c = DecodeRemoveCounts(r->header);
    if (!c.ok()) return c.status();
    total.metadata_entries += c->metadata_entries;
    total.files += c->files;
  }
  return total;
}

Result<Inode> FsClient::Update(const std::string& path, const InodeUpdate& update) {
  return InodeCall(placement_.MetadataOwner(path), Opcode::kMetaUpdate, EncodeUpdate({path, update}));
}

Status FsClient::WriteChunk(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& data,
                            size_t len) {
  auto r = Call(placement_.ChunkOwner(path, index), Opcode::kWriteChunk, EncodeChunkRef({path, index, offset}),
                &data, len);
  if (!r.ok()) return r.status();
  auto n = DecodeCount(r->header, "write_chunk reply");
  if (!n.ok()) return n.status();
  if (*n != len) {
    return Status::IoError("write of " + std::to_string(len) + " bytes to " + path + " stored " +
                                            std::to_string(*n));
  }
  return Status();
}

Result<size_t> FsClient::ReadChunk(const std::string& path, uint64_t index, uint64_t offset, IoBuffer& buf,
                                   size_t len) {
  if (len > buf.size()) {
    return Status::InvalidArgument("read of " + std::to_string(len) + " bytes into a " +
                                                    std::to_string(buf.size()) + "-byte buffer");
  }
  auto r = Call(placement_.ChunkOwner(path, index), Opcode::kReadChunk,
                EncodeReadChunk({{path, index, offset}, static_cast<uint32_t>(len)}), nullptr, 0, &buf);
  if (!r.ok()) return r.status();
  if (r->payload_len > len) {
    return Status::ProtocolError("read reply of " + std::to_string(r->payload_len) +
                                                  " bytes for a read of " + std::to_string(len));
  }
  return r->payload_len;
}

Status FsClient::Fsync(const std::string& path) {
  for (uint32_t i = 0; i < servers(); ++i) {
    Status s = Call(i, Opcode::kFsync, EncodePath(path)).status();
    if (!s.ok()) return s;
  }
  return Status();
}

Status FsClient::Ping(uint32_t server, IoBuffer* payload, size_t len, IoBuffer* reply) {
  ServerCallStats& st = call_stats_[server];
  Status admitted = Admit(server);
  if (!admitted.ok()) return admitted;
  Status s = rpc_->Ping(connections_[server], payload, len, reply);
  st.failed += !s.ok();
  Note(server, s);
  return s;
}

Result<std::vector<std::pair<std::string, uint64_t>>> FsClient::ServerStatus(uint32_t server) {
  auto r = Call(server, Opcode::kStatus, {});
  if (!r.ok()) return r.status();
  return DecodeCounters(r->payload.span().first(r->payload_len));
}

Status FsClient::Shutdown(uint32_t server) { return Call(server, Opcode::kShutdown, {}).status(); }

}  // namespace benchfs

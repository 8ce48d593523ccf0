// SPDX-License-Identifier: BSD-3-Clause
// Context: the executor, the connection and the open file table.
#include "libbenchfs/context.h"

#include <algorithm>

#include "libbenchfs/file.h"
#include "libbenchfs/paths.h"
#include "runtime/ucx_reactor.h"

namespace benchfs::capi {

Result<std::unique_ptr<Context>> Context::Open(const ContextOptions& options) {
  std::unique_ptr<Context> ctx(new Context());
  // The library's executor is a client's: a caller that drives it spins
  // idle_spin for a reply and then parks in the kernel; callers on any
  // thread take turns at it.
  ExecutorConfig config;
  config.any_thread = true;
  auto ex = Executor::Create(config);
  if (!ex.ok()) return Status(ex.status().code(), "starting the library's executor: " + ex.status().message());
  ctx->ex_ = std::move(ex.value());
  UcxConfig ucx;
  ucx.tls = options.ucx_tls;
  Status v = ucx.Validate();
  auto reactor = v.ok() ? ctx->ex_->EnableUcx(ucx) : Result<UcxReactor*>(v);
  if (!reactor.ok()) return Status(reactor.status().code(), "starting UCX: " + reactor.status().message());
  ctx->driver_ = std::make_unique<Driver>(*ctx->ex_, config.complete_timeout);
  Status s = ctx->Run([&] { return ctx->Connect(options); });
  if (!s.ok()) return s;
  return ctx;
}

Status Context::Connect(const ContextOptions& options) {
  RpcClientConfig rpc;
  rpc.call_timeout = options.call_timeout;
  Status valid = rpc.Validate();
  if (!valid.ok()) return valid;
  auto client = FsClient::Connect(*ex_->ucx(), options.servers, rpc);
  if (!client.ok()) return client.status();
  client_ = std::move(client.value());
  // STATFS checks that the servers agree on the chunk size and gives it to
  // the client (RemoveChunksOf then asks only the servers that can hold one).
  auto totals = client_->StatFs();
  if (!totals.ok()) return totals.status();
  if (totals->chunk_size == 0) return Status::ProtocolError(client_->server(0).ToString() + " reports no chunk size");
  chunk_size_ = totals->chunk_size;
  if (options.chunk_size != 0 && options.chunk_size != chunk_size_) {
    return Status::InvalidArgument("chunk_size " + std::to_string(options.chunk_size) +
                                   " differs from the servers' " + std::to_string(chunk_size_) +
                                   " (benchfsd --chunk-size); give 0 to use theirs");
  }
  return Status();
}

Context::~Context() {
  if (driver_ == nullptr) return;  // the executor never started: nothing to close
  // Sizes of files still open reach the servers as on benchfs_close; their
  // errors have nowhere to go. Disconnecting may wait, so it runs in a fiber.
  Run([this] {
    for (File* f : AllFiles()) {
      f->Close().IgnoreError();
      delete f;
    }
    client_.reset();
    return 0;
  });
  driver_.reset();
  ex_.reset();
}

void Context::AddFile(File* f) { files_.emplace(std::string_view(f->path()), f); }

void Context::RemoveFile(File* f) {
  auto [first, last] = files_.equal_range(std::string_view(f->path()));
  for (auto it = first; it != last; ++it) {
    if (it->second == f) {
      files_.erase(it);
      return;
    }
  }
}

std::vector<File*> Context::FilesOf(const std::string& path) const {
  std::vector<File*> out;
  if (files_.empty()) return out;
  auto [first, last] = files_.equal_range(std::string_view(path));
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

void Context::RenameFiles(const std::string& from, const std::string& to) {
  std::vector<File*> moved;
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string_view p = it->first;
    const bool under = p.size() > from.size() && p.compare(0, from.size(), from) == 0 && p[from.size()] == '/';
    if (p == from || under) {
      moved.push_back(it->second);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (File* f : moved) {
    f->set_path(to + f->path().substr(from.size()));
    AddFile(f);
  }
}

std::vector<File*> Context::AllFiles() const {
  std::vector<File*> all;
  for (const auto& [path, f] : files_) all.push_back(f);
  return all;
}

}  // namespace benchfs::capi

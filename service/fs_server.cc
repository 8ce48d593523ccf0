// SPDX-License-Identifier: BSD-3-Clause
// FsServer: opening, closing and tearing down the file server's stores.
#include "service/fs_server.h"

namespace benchfs {

std::string MetadataLogPath(const std::string& data_dir) { return data_dir + "/metadata.log"; }

Result<std::unique_ptr<FsServer>> FsServer::Open(Executor& ex, RpcServer& server, const FsServerOptions& options) {
  std::unique_ptr<FsServer> fs(new FsServer());
  auto chunks = ChunkStore::Open(ex, options.chunks);
  if (!chunks.ok()) return chunks.status();
  fs->chunks_ = std::move(chunks.value());
  auto meta = MetadataStore::Open(ex, options.metadata);
  if (!meta.ok()) return meta.status();
  fs->meta_ = std::move(meta.value());
  fs->service_ = std::make_unique<FsService>(ex, server, *fs->chunks_, *fs->meta_);
  fs->service_->Install();
  return fs;
}

FsServer::~FsServer() = default;

Status FsServer::Close() {
  Status chunks = chunks_->Close();
  Status meta = meta_->Close();
  return chunks.ok() ? meta : chunks;
}

}  // namespace benchfs

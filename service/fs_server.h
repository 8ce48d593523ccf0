// SPDX-License-Identifier: BSD-3-Clause
// FsServer: the file server's storage side as one object - the chunk store
// and the metadata store, opened on an executor, and FsService serving them
// on an RpcServer. benchfsd, the sweep's in-process server and the service
// tests all assemble the server through it; what they choose differently is
// in FsServerOptions.
//
// Life cycle, in this order:
//   1. Open(): opens the chunk store, then the metadata store (replaying its
//      log, if any), then installs FsService's handlers on the server.
//   2. Serving.
//   3. Close() (from a fiber, once the server has stopped delivering
//      requests): flushes and closes the chunk store, then the metadata
//      store, so metadata describing chunk data is made durable after the
//      data. Optional: without it nothing is flushed.
//   4. Destruction: FsService, then the chunk store, then the metadata store.
//      Handlers installed on the server refer to FsService, so the server
//      must not deliver requests after destruction (destroy the server
//      first, or run no fiber of it afterwards); a server that may still
//      hold receive buffers of the chunk store must be destroyed first.
#pragma once

#include <memory>
#include <string>

#include "rpc/server.h"
#include "runtime/executor.h"
#include "service/fs_service.h"
#include "storage/chunk_store.h"
#include "storage/metadata_store.h"

namespace benchfs {

struct FsServerOptions {
  ChunkStoreOptions chunks;
  // The metadata store: its log (empty = in memory only) and how the log is
  // synced. benchfsd syncs it per its --durability knob, as its chunks; the
  // in-process servers use `none`.
  MetadataStoreOptions metadata;
};

// Where benchfsd keeps the metadata log of a data dir.
std::string MetadataLogPath(const std::string& data_dir);

class FsServer {
 public:
  // Opens both stores on `ex` (may be called outside a fiber) and installs
  // FsService on `server`. The first store that fails to open is the error.
  static Result<std::unique_ptr<FsServer>> Open(Executor& ex, RpcServer& server, const FsServerOptions& options);
  ~FsServer();
  FsServer(const FsServer&) = delete;
  FsServer& operator=(const FsServer&) = delete;

  // From a fiber: closes the chunk store, then the metadata store (both,
  // whatever the first returns). Returns the chunk store's error if it
  // failed, else the metadata store's.
  Status Close();

  ChunkStore& chunks() { return *chunks_; }
  MetadataStore& metadata() { return *meta_; }
  FsService& service() { return *service_; }

 private:
  FsServer() = default;

  // Declared in reverse order of destruction.
  std::unique_ptr<MetadataStore> meta_;
  std::unique_ptr<ChunkStore> chunks_;
  std::unique_ptr<FsService> service_;
};

}  // namespace benchfs

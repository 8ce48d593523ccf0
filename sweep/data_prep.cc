// SPDX-License-Identifier: BSD-3-Clause
// Writing the storage chunk and the end-to-end files.
#include "sweep/data_prep.h"

#include <cstring>

#include "runtime/executor.h"
#include "service/daemon.h"
#include "storage/chunk_store.h"
#include "sweep/sweep_paths.h"

namespace benchfs {
namespace {

Status WriteAll(const ChunkStoreOptions& o, const std::vector<std::pair<std::string, uint64_t>>& files,
                size_t block) {
  auto ex = Executor::Create(ExecutorConfig{});
  if (!ex.ok()) return ex.status();
  auto store = ChunkStore::Open(**ex, o);
  if (!store.ok()) return store.status();
  Status result;
  (*ex)->Run([&] {
    IoBuffer buf = IoBuffer::Allocate(block);
    std::memset(buf.data(), 'p', block);
    for (const auto& [path, bytes] : files) {
      for (uint64_t off = 0; off < bytes && result.ok(); off += block) {
        result = (*store)->Write(path, 0, off, buf, block);
      }
    }
    Status c = (*store)->Close();
    if (result.ok()) result = c;
  });
  return result;
}

}  // namespace

Status PrepareSweepData(const PointSettings& s, const std::vector<Workload>& workloads, uint32_t max_qd) {
  bool storage = false;
  bool e2e = false;
  for (Workload w : workloads) {
    storage |= Info(w).kind == WorkloadKind::kStorage;
    e2e |= w == Workload::kE2eWrite || w == Workload::kE2eRead;
  }
  if (storage) {
    ChunkStoreOptions o;
    o.backend = ChunkBackendKind::kUring;
    o.chunk_size = kStorageChunkSize;
    o.data_dir = StorageDataDir(s.data_dir);
    Status st = WriteAll(o, {{kStoragePath, kStorageChunkSize}}, 1 << 20);
    if (!st.ok()) return Status(st.code(), "preparing the storage points' chunk: " + st.message());
  }
  if (e2e) {
    DaemonConfig d;
    d.chunks.data_dir = EndToEndDataDir(s.data_dir);
    std::vector<std::pair<std::string, uint64_t>> files;
    for (uint32_t i = 0; i < max_qd; ++i) files.emplace_back(EndToEndFile(i), s.io_size);
    Status st = WriteAll(d.chunks, files, s.io_size);
    if (!st.ok()) return Status(st.code(), "preparing the end-to-end files: " + st.message());
  }
  return Status();
}

}  // namespace benchfs

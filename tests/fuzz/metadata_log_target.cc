// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target `metadata_log`: a metadata log file as MetadataStore::Open
// finds it at start-up. The input, after its first byte, is the file; an odd
// first byte asks for every complete record's CRC to be fixed up first, so
// the fuzzer gets past the CRC to the record payloads and the replay logic.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "storage/crc32c.h"
#include "storage/metadata_record.h"
#include "storage/metadata_store.h"
#include "tests/fuzz/fuzz_targets.h"

namespace benchfs::fuzz {
namespace {

// Rewrites the CRC of every complete record that follows the 8-byte header.
void FixCrcs(std::string& log) {
  size_t pos = kMetaLogMagic.size();
  while (pos <= log.size() && log.size() - pos >= kMetaRecordHeader) {
    uint32_t len = 0;
    std::memcpy(&len, log.data() + pos + 4, 4);
    if (len > log.size() - pos - kMetaRecordHeader) break;
    const uint32_t crc = Crc32c(0, log.data() + pos + 4, 5 + len);
    std::memcpy(log.data() + pos, &crc, 4);
    pos += kMetaRecordHeader + len;
  }
}

// A scratch directory on a RAM file system when there is one.
class ScratchDir {
 public:
  ScratchDir() {
    for (const char* base : {"/dev/shm", "/tmp"}) {
      std::string t = std::string(base) + "/benchfs-fuzz-log-XXXXXX";
      if (::mkdtemp(t.data()) != nullptr) {
        path_ = t;
        return;
      }
    }
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Replayed {
  LogRecovery recovery;
  std::vector<ListEntry> entries;
  size_t size = 0;
};

// Opens the store on `log_path`; checks that what it holds is consistent.
std::string Replay(Executor& ex, const std::string& log_path, Replayed* out) {
  MetadataStoreOptions mo;
  mo.log_path = log_path;
  auto store = MetadataStore::Open(ex, mo);
  if (!store.ok()) {
    if (store.status().message().empty()) return "a refused log has no reason";
    return "";
  }
  MetadataStore& m = **store;
  out->recovery = m.recovery();
  out->size = m.size();
  std::string after;
  while (true) {
    auto page = m.List("/", after);
    if (!page.ok()) return "List failed after replay: " + page.status().message();
    for (ListEntry& e : page->entries) out->entries.push_back(std::move(e));
    if (!page->more) break;
    after = out->entries.back().path;
  }
  if (out->entries.size() != m.size()) {
    return "replay kept " + std::to_string(m.size()) + " entries but lists " +
           std::to_string(out->entries.size()) + " under /";
  }
  for (const ListEntry& e : out->entries) {
    auto st = m.Stat(e.path);
    if (!st.ok()) return "replayed entry '" + e.path + "' is listed but not found: " + st.status().message();
    if (st->id != e.inode.id) return "replayed entry '" + e.path + "' has two ids";
  }
  struct stat sb{};
  if (::stat(log_path.c_str(), &sb) != 0 || static_cast<uint64_t>(sb.st_size) != out->recovery.bytes_kept) {
    return "the log's size after recovery is not the bytes kept";
  }
  return "";
}

}  // namespace

std::string CheckMetadataLog(const uint8_t* data, size_t size) {
  if (size == 0) return "";
  std::string log(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) FixCrcs(log);
  ScratchDir dir;
  if (dir.path().empty()) return "";  // no scratch space: nothing to check
  const std::string path = dir.path() + "/metadata.log";
  std::ofstream(path, std::ios::binary).write(log.data(), static_cast<std::streamsize>(log.size()));
  ExecutorConfig ec;
  ec.ring_entries = 8;
  ec.submit_batch = 8;
  ec.fixed_files = 0;
  auto ex = Executor::Create(ec);
  if (!ex.ok()) return "cannot create an executor: " + ex.status().message();
  Replayed first;
  std::string problem = Replay(**ex, path, &first);
  if (!problem.empty() || first.recovery.bytes_kept == 0) return problem;
  // The tail was cut: a second replay finds exactly what the first kept.
  Replayed second;
  problem = Replay(**ex, path, &second);
  if (!problem.empty()) return "second replay: " + problem;
  if (second.recovery.records != first.recovery.records || second.recovery.bytes_cut != 0 ||
      second.size != first.size) {
    return "a second replay differs: " + std::to_string(second.recovery.records) + " records (first " +
           std::to_string(first.recovery.records) + "), " + std::to_string(second.recovery.bytes_cut) +
           " bytes cut";
  }
  return "";
}

}  // namespace benchfs::fuzz

// MetadataStore: id-keyed map, exclusive create with collision refusal,
// lazily sorted listing, log replay and logging.
#include "storage/metadata_store.h"

#include <time.h>

#include <algorithm>

namespace benchfs {
namespace {

int64_t WallNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);  // vDSO, no syscall
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Status NotFound(const std::string& path) {
  return Status(StatusCode::kNotFound, "'" + path + "' does not exist");
}

Status OutOfRange(std::string_view knob, uint64_t v, const std::string& range) {
  return Status(StatusCode::kInvalidArgument,
                std::string(knob) + " = " + std::to_string(v) + " is out of range: allowed " + range);
}

}  // namespace

Status MetadataStoreOptions::Validate() const {
  if (group_interval < std::chrono::microseconds(1) || group_interval > std::chrono::seconds(1)) {
    return Status(StatusCode::kInvalidArgument, "group_interval = " + FormatDuration(group_interval) +
                                                    " is out of range: allowed 1us..1s");
  }
  if (max_path_length < 2 || max_path_length > kMaxPathLengthLimit) {
    return OutOfRange("max_path_length", max_path_length, "2..65535");
  }
  if (max_list_page < 1 || max_list_page > 1000000) {
    return OutOfRange("max_list_page", max_list_page, "1..1000000");
  }
  if (file_id == nullptr) return Status(StatusCode::kInvalidArgument, "file_id function is not set");
  return Status();
}

MetadataStore::MetadataStore(Executor& ex, const MetadataStoreOptions& options)
    : ex_(ex), options_(options) {}

MetadataStore::~MetadataStore() = default;

Result<std::unique_ptr<MetadataStore>> MetadataStore::Open(Executor& ex,
                                                           const MetadataStoreOptions& options) {
  Status s = options.Validate();
  if (!s.ok()) return s;
  std::unique_ptr<MetadataStore> store(new MetadataStore(ex, options));
  if (!options.log_path.empty()) {
    MetadataStore* self = store.get();
    auto log = MetadataLog::Open(
        ex, options.log_path, options.durability, options.group_interval,
        [self](const MetaRecord& r) { self->Apply(r); }, &store->recovery_);
    if (!log.ok()) return log.status();
    store->log_ = std::move(log.value());
  }
  return store;
}

void MetadataStore::Apply(const MetaRecord& r) {
  if (r.type == MetaRecordType::kPut) {
    Entry& e = map_[r.inode.id];
    e.path = r.path;
    e.inode = r.inode;
  } else {
    auto it = map_.find(r.inode.id);
    if (it != map_.end() && it->second.path == r.path) map_.erase(it);
  }
  sorted_valid_ = false;
}

MetadataStore::Entry* MetadataStore::Find(const std::string& path) {
  auto it = map_.find(options_.file_id(path));
  return it != map_.end() && it->second.path == path ? &it->second : nullptr;
}

const MetadataStore::Entry* MetadataStore::Find(const std::string& path) const {
  auto it = map_.find(options_.file_id(path));
  return it != map_.end() && it->second.path == path ? &it->second : nullptr;
}

Status MetadataStore::Log(MetaRecordType type, const Entry& e) {
  if (!log_) return Status();
  return log_->Wait(log_->Stage(type, e.path, e.inode));
}

Result<Inode> MetadataStore::Create(const std::string& path, InodeType type, uint32_t mode) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status(StatusCode::kUnavailable, "metadata store is closed");
  const uint64_t id = options_.file_id(path);
  auto [it, inserted] = map_.try_emplace(id);
  Entry& e = it->second;
  if (!inserted) {
    if (e.path == path) return Status(StatusCode::kAlreadyExists, "'" + path + "' already exists");
    return Status(StatusCode::kAlreadyExists,
                  "'" + path + "' cannot be created: its file id " + FileIdHex(id) +
                      " is already used by '" + e.path +
                      "' (a 64-bit hash collision); ids are never shared, so use another name");
  }
  const int64_t now = WallNowNs();
  e.path = path;
  e.inode = Inode{id, type, 0, mode, now, now};
  sorted_valid_ = false;
  const Inode result = e.inode;
  s = Log(MetaRecordType::kPut, e);  // `e` may be gone after this (a concurrent delete)
  if (!s.ok()) return s;
  return result;
}

Result<Inode> MetadataStore::Stat(const std::string& path) const {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  const Entry* e = Find(path);
  if (e == nullptr) return NotFound(path);
  return e->inode;
}

Status MetadataStore::Delete(const std::string& path) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status(StatusCode::kUnavailable, "metadata store is closed");
  auto it = map_.find(options_.file_id(path));
  if (it == map_.end() || it->second.path != path) return NotFound(path);
  Entry gone = std::move(it->second);
  map_.erase(it);
  sorted_valid_ = false;
  return Log(MetaRecordType::kDelete, gone);
}

Result<Inode> MetadataStore::Update(const std::string& path, const InodeUpdate& u) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status(StatusCode::kUnavailable, "metadata store is closed");
  if (u.truncate && !u.size) {
    return Status(StatusCode::kInvalidArgument, "update of '" + path + "': truncate needs a size");
  }
  Entry* e = Find(path);
  if (e == nullptr) return NotFound(path);
  if (u.size) e->inode.size = u.truncate ? *u.size : std::max(e->inode.size, *u.size);
  if (u.mode) e->inode.mode = *u.mode;
  e->inode.mtime_ns = WallNowNs();
  const Inode result = e->inode;
  s = Log(MetaRecordType::kPut, *e);
  if (!s.ok()) return s;
  return result;
}

Result<ListPage> MetadataStore::List(const std::string& prefix, const std::string& start_after,
                                     size_t limit) {
  if (prefix.empty() || prefix[0] != '/' || prefix.find('\0') != std::string::npos) {
    return Status(StatusCode::kInvalidArgument,
                  "list prefix '" + prefix + "' is invalid: it must start with / and contain no NUL");
  }
  if (limit == 0 || limit > options_.max_list_page) limit = options_.max_list_page;
  if (!sorted_valid_) {
    sorted_.clear();
    sorted_.reserve(map_.size());
    for (const auto& [id, e] : map_) sorted_.push_back(&e);
    std::sort(sorted_.begin(), sorted_.end(),
              [](const Entry* a, const Entry* b) { return a->path < b->path; });
    sorted_valid_ = true;
  }
  auto by_path = [](const Entry* e, const std::string& p) { return e->path < p; };
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), prefix, by_path);
  if (!start_after.empty() && start_after >= prefix) {
    it = std::upper_bound(sorted_.begin(), sorted_.end(), start_after,
                          [](const std::string& p, const Entry* e) { return p < e->path; });
  }
  ListPage page;
  for (; it != sorted_.end() && (*it)->path.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (page.entries.size() == limit) {
      page.more = true;
      break;
    }
    page.entries.push_back({(*it)->path, (*it)->inode});
  }
  return page;
}

Status MetadataStore::Sync() {
  if (!log_) return Status();
  return log_->Sync();
}

Status MetadataStore::Close() {
  if (closed_) return Status();
  closed_ = true;
  if (!log_) return Status();
  return log_->Close();
}

}  // namespace benchfs

// MetadataStore: id-keyed map, exclusive create with collision refusal,
// lazily sorted listing, log replay and logging.
#include "storage/metadata_store.h"

#include <time.h>

#include <algorithm>

#include "storage/path_name.h"

namespace benchfs {
namespace {

int64_t WallNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);  // vDSO, no syscall
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Status NotFound(const std::string& path) {
  return Status::NotFound("'" + path + "' does not exist");
}

Status OutOfRange(std::string_view knob, uint64_t v, const std::string& range) {
  return Status::InvalidArgument(std::string(knob) + " = " + std::to_string(v) + " is out of range: allowed " + range);
}

}  // namespace

Status MetadataStoreOptions::Validate() const {
  if (group_interval < std::chrono::microseconds(1) || group_interval > std::chrono::seconds(1)) {
    return Status::InvalidArgument("group_interval = " + FormatDuration(group_interval) +
                                                    " is out of range: allowed 1us..1s");
  }
  if (max_path_length < 2 || max_path_length > kMaxPathLengthLimit) {
    return OutOfRange("max_path_length", max_path_length, "2..65535");
  }
  if (max_list_page < 1 || max_list_page > 1000000) {
    return OutOfRange("max_list_page", max_list_page, "1..1000000");
  }
  if (file_id == nullptr) return Status::InvalidArgument("file_id function is not set");
  return Status();
}

MetadataStore::MetadataStore(const MetadataStoreOptions& options) : options_(options) {}

MetadataStore::~MetadataStore() = default;

Result<std::unique_ptr<MetadataStore>> MetadataStore::Open(Executor& ex,
                                                           const MetadataStoreOptions& options) {
  Status s = options.Validate();
  if (!s.ok()) return s;
  std::unique_ptr<MetadataStore> store(new MetadataStore(options));
  if (!options.log_path.empty()) {
    MetadataStore* self = store.get();
    auto log = MetadataLog::Open(
        ex, options.log_path, options.durability, options.group_interval,
        [self](const MetaRecord& r) { return self->Apply(r); }, &store->recovery_);
    if (!log.ok()) return log.status();
    store->log_ = std::move(log.value());
  }
  return store;
}

Status MetadataStore::Apply(const MetaRecord& r) {
  Status s = ValidatePath(r.path, options_.max_path_length);
  if (!s.ok()) return s;
  if (options_.file_id(r.path) != r.inode.id) {
    return Status::Corruption("the id " + std::to_string(r.inode.id) + " of '" + r.path +
                                               "' is not its file id");
  }
  if (r.type == MetaRecordType::kPut) {
    Entry* existing = nullptr;
    Entry* e = Insert(r.inode.id, &existing);
    if (e == nullptr) e = existing;
    if (e == nullptr) return Status::ResourceExhausted("the metadata index is full");
    e->path = r.path;
    e->inode = r.inode;
  } else {
    const uint32_t idx = index_.Find(r.inode.id, is_id_);
    if (idx != IdIndex::kNone && entries_[idx].path == r.path) Erase(r.inode.id, idx);
  }
  sorted_valid_ = false;
  return Status();
}

MetadataStore::Entry* MetadataStore::Insert(uint64_t id, Entry** existing) {
  const size_t slot = free_.empty() ? entries_.size() : free_.back();
  if (slot > IdIndex::kMaxSlot) {
    *existing = nullptr;
    return nullptr;
  }
  auto [idx, inserted] = index_.Insert(id, static_cast<uint32_t>(slot), is_id_);
  if (!inserted) {
    *existing = &entries_[idx];
    return nullptr;
  }
  if (slot == entries_.size()) {
    entries_.emplace_back();
  } else {
    free_.pop_back();
  }
  return &entries_[slot];
}

void MetadataStore::Erase(uint64_t id, uint32_t idx) {
  index_.Erase(id, is_id_);
  entries_[idx].path.clear();
  free_.push_back(idx);
}

MetadataStore::Entry* MetadataStore::Find(const std::string& path) {
  const uint32_t idx = index_.Find(options_.file_id(path), is_id_);
  return idx != IdIndex::kNone && entries_[idx].path == path ? &entries_[idx] : nullptr;
}

const MetadataStore::Entry* MetadataStore::Find(const std::string& path) const {
  const uint32_t idx = index_.Find(options_.file_id(path), is_id_);
  return idx != IdIndex::kNone && entries_[idx].path == path ? &entries_[idx] : nullptr;
}

Status MetadataStore::Log(MetaRecordType type, const Entry& e, Duration* log_time) {
  if (!log_) return Status();
  return TimedInto(log_time, [&] { return log_->Wait(log_->Stage(type, e.path, e.inode)); });
}

Result<Inode> MetadataStore::Create(const std::string& path, InodeType type, uint32_t mode, Duration* log_time) {
  const uint64_t id = options_.file_id(path);
  index_.Prefetch(id);  // overlaps the index's cache miss with the validation below
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("metadata store is closed");
  Entry* existing = nullptr;
  Entry* slot = Insert(id, &existing);
  if (slot == nullptr) {
    if (existing == nullptr) {
      return Status::ResourceExhausted("metadata store is full (4G entries)");
    }
    if (existing->path == path) return Status::AlreadyExists("'" + path + "' already exists");
    return Status::AlreadyExists("'" + path + "' cannot be created: its file id " + FileIdHex(id) +
                      " is already used by '" + existing->path +
                      "' (a 64-bit hash collision); ids are never shared, so use another name");
  }
  Entry& e = *slot;
  const int64_t now = WallNowNs();
  e.path = path;
  e.inode = Inode{id, 0, now, now, mode, type};
  sorted_valid_ = false;
  const Inode result = e.inode;
  s = Log(MetaRecordType::kPut, e, log_time);  // `e` may be gone after this (a concurrent delete)
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

Status MetadataStore::Delete(const std::string& path, Duration* log_time) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("metadata store is closed");
  const uint64_t id = options_.file_id(path);
  const uint32_t idx = index_.Find(id, is_id_);
  if (idx == IdIndex::kNone || entries_[idx].path != path) return NotFound(path);
  Entry gone{path, entries_[idx].inode};
  Erase(id, idx);
  sorted_valid_ = false;
  return Log(MetaRecordType::kDelete, gone, log_time);
}

Result<Inode> MetadataStore::Update(const std::string& path, const InodeUpdate& u, Duration* log_time) {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("metadata store is closed");
  if (u.truncate && !u.size) {
    return Status::InvalidArgument("update of '" + path + "': truncate needs a size");
  }
  Entry* e = Find(path);
  if (e == nullptr) return NotFound(path);
  if (u.size) e->inode.size = u.truncate ? *u.size : std::max(e->inode.size, *u.size);
  if (u.mode) e->inode.mode = *u.mode;
  e->inode.mtime_ns = WallNowNs();
  const Inode result = e->inode;
  s = Log(MetaRecordType::kPut, *e, log_time);
  if (!s.ok()) return s;
  return result;
}

Result<ListPage> MetadataStore::List(const std::string& prefix, const std::string& start_after,
                                     size_t limit) {
  if (prefix.empty() || prefix[0] != '/' || prefix.find('\0') != std::string::npos) {
    return Status::InvalidArgument("list prefix '" + prefix + "' is invalid: it must start with / and contain no NUL");
  }
  if (limit == 0 || limit > options_.max_list_page) limit = options_.max_list_page;
  if (!sorted_valid_) {
    sorted_.clear();
    sorted_.reserve(index_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (!entries_[i].path.empty()) sorted_.push_back(&entries_[i]);
    }
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

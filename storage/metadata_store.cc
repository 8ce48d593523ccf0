// SPDX-License-Identifier: BSD-3-Clause
// MetadataStore: id-keyed map, exclusive create with collision refusal,
// lazily sorted listing, log replay and logging.
#include "storage/metadata_store.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "storage/path_name.h"

namespace benchfs {
namespace {

int64_t WallNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);  // vDSO, no syscall
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Status NotFound(const std::string& path) {
  return Status::NotFound("'" + path + "' does not exist", ENOENT);
}

Status IsADirectory(const std::string& path, const char* op) {
  return Status::InvalidArgument(std::string(op) + " '" + path + "': it is a directory", EISDIR);
}

Status NotADirectory(const std::string& path, const char* op) {
  return Status::InvalidArgument(std::string(op) + " '" + path + "': it is not a directory", ENOTDIR);
}

// May an entry of type `incoming` replace `existing` at `path`?
Status CheckReplace(const std::string& path, InodeType incoming, InodeType existing) {
  if (incoming == existing) return Status();
  if (existing == InodeType::kDirectory) return IsADirectory(path, "replacing");
  return NotADirectory(path, "replacing");
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

uint64_t MetadataStore::NewId() { return ids_.Next(); }

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
  if (r.inode.id == 0) {
    return Status::Corruption("the id of '" + r.path + "' is 0, which no file has");
  }
  const uint64_t key = options_.file_id(r.path);
  if (r.type == MetaRecordType::kPut) {
    Entry* existing = nullptr;
    Entry* e = Insert(key, r.path, &existing);
    if (e == nullptr && existing != nullptr && existing->path != r.path) {
      // The record replaces an entry of another path under the same key.
      CountChild(existing->path, -1);
      CountChild(r.path, +1);
      existing->path = r.path;
    }
    if (e == nullptr) e = existing;
    if (e == nullptr) return Status::ResourceExhausted("the metadata index is full");
    e->inode = r.inode;
  } else {
    const uint32_t idx = index_.Find(key, is_id_);
    if (idx != IdIndex::kNone && entries_[idx].path == r.path) Erase(key, idx);
  }
  sorted_valid_ = false;
  return Status();
}

void MetadataStore::CountChild(std::string_view path, int delta) {
  const size_t slash = path.rfind('/');
  if (path.size() <= 1 || slash == std::string_view::npos) return;  // "/" has no parent
  const uint64_t parent = options_.file_id(slash == 0 ? path.substr(0, 1) : path.substr(0, slash));
  if (delta > 0) {
    ++child_counts_[parent];
    return;
  }
  auto it = child_counts_.find(parent);
  if (it != child_counts_.end() && --it->second == 0) child_counts_.erase(it);
}

MetadataStore::Entry* MetadataStore::Insert(uint64_t key, const std::string& path, Entry** existing) {
  const size_t slot = free_.empty() ? entries_.size() : free_.back();
  if (slot > IdIndex::kMaxSlot) {
    *existing = nullptr;
    return nullptr;
  }
  auto [idx, inserted] = index_.Insert(key, static_cast<uint32_t>(slot), is_id_);
  if (!inserted) {
    *existing = &entries_[idx];
    return nullptr;
  }
  if (slot == entries_.size()) {
    entries_.emplace_back();
  } else {
    free_.pop_back();
  }
  entries_[slot].key = key;
  entries_[slot].path = path;
  CountChild(path, +1);
  return &entries_[slot];
}

void MetadataStore::Erase(uint64_t key, uint32_t idx) {
  index_.Erase(key, is_id_);
  CountChild(entries_[idx].path, -1);
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

Status MetadataStore::CheckMutation(const std::string& path) const {
  Status s = ValidatePath(path, options_.max_path_length);
  if (!s.ok()) return s;
  if (closed_) return Status::Unavailable("metadata store is closed");
  return Status();
}

Result<Inode> MetadataStore::Create(const std::string& path, InodeType type, uint32_t mode, Duration* log_time) {
  const uint64_t key = options_.file_id(path);
  index_.Prefetch(key);  // overlaps the index's cache miss with the validation below
  Status s = CheckMutation(path);
  if (!s.ok()) return s;
  Entry* existing = nullptr;
  Entry* slot = Insert(key, path, &existing);
  if (slot == nullptr) {
    if (existing == nullptr) {
      return Status::ResourceExhausted("metadata store is full (4G entries)");
    }
    if (existing->path == path) return Status::AlreadyExists("'" + path + "' already exists", EEXIST);
    return Status::AlreadyExists("'" + path + "' cannot be created: its key " + FileIdHex(key) +
                      " is already used by '" + existing->path +
                      "' (a 64-bit hash collision); keys are never shared, so use another name", EEXIST);
  }
  Entry& e = *slot;
  const int64_t now = WallNowNs();
  e.inode = Inode{NewId(), 0, now, now, mode, type};
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
  Status s = CheckMutation(path);
  if (!s.ok()) return s;
  const uint64_t key = options_.file_id(path);
  const uint32_t idx = index_.Find(key, is_id_);
  if (idx == IdIndex::kNone || entries_[idx].path != path) return NotFound(path);
  Entry gone{path, key, entries_[idx].inode};
  Erase(key, idx);
  sorted_valid_ = false;
  return Log(MetaRecordType::kDelete, gone, log_time);
}

Result<Inode> MetadataStore::Unlink(const std::string& path, UnlinkKind kind, uint64_t expect_id,
                                    Duration* log_time) {
  Status s = CheckMutation(path);
  if (!s.ok()) return s;
  const uint64_t key = options_.file_id(path);
  const uint32_t idx = index_.Find(key, is_id_);
  if (idx == IdIndex::kNone || entries_[idx].path != path) return NotFound(path);
  const Inode inode = entries_[idx].inode;
  if (kind == UnlinkKind::kFile && inode.type == InodeType::kDirectory) return IsADirectory(path, "unlink");
  if (kind == UnlinkKind::kDirectory && inode.type != InodeType::kDirectory) return NotADirectory(path, "rmdir");
  if (expect_id != 0 && inode.id != expect_id) {
    return Status::NotFound("'" + path + "' is no longer file " + FileIdHex(expect_id) + " (it was replaced)",
                            ENOENT);
  }
  Entry gone{path, key, inode};
  Erase(key, idx);
  sorted_valid_ = false;
  s = Log(MetaRecordType::kDelete, gone, log_time);
  if (!s.ok()) return s;
  return inode;
}

Result<MoveResult> MetadataStore::Put(const std::string& path, const Inode& inode, Duration* log_time) {
  Status s = CheckMutation(path);
  if (!s.ok()) return s;
  if (inode.id == 0) return Status::InvalidArgument("put of '" + path + "': id 0 is no file's id", EINVAL);
  const uint64_t key = options_.file_id(path);
  Entry* existing = nullptr;
  Entry* e = Insert(key, path, &existing);
  MoveResult result;
  if (e == nullptr) {
    if (existing == nullptr) return Status::ResourceExhausted("metadata store is full (4G entries)");
    if (existing->path != path) {
      return Status::AlreadyExists("'" + path + "' cannot be stored: its key " + FileIdHex(key) +
                                       " is already used by '" + existing->path + "' (a 64-bit hash collision)",
                                   EEXIST);
    }
    s = CheckReplace(path, inode.type, existing->inode.type);
    if (!s.ok()) return s;
    if (existing->inode.id != inode.id) result.replaced = existing->inode;
    e = existing;
  }
  e->inode = inode;
  result.inode = inode;
  sorted_valid_ = false;
  s = Log(MetaRecordType::kPut, *e, log_time);
  if (!s.ok()) return s;
  return result;
}

Result<MoveResult> MetadataStore::Rename(const std::string& from, const std::string& to, Duration* log_time) {
  Status s = ValidatePath(from, options_.max_path_length);
  if (!s.ok()) return s;
  s = CheckMutation(to);
  if (!s.ok()) return s;
  Entry* src = Find(from);
  if (src == nullptr) return NotFound(from);
  MoveResult result;
  result.inode = src->inode;
  if (from == to) return result;
  const uint64_t from_key = src->key;
  const uint64_t to_key = options_.file_id(to);
  // Every check before the first change: the move happens whole or not at all.
  const uint32_t to_idx = index_.Find(to_key, is_id_);
  if (to_idx != IdIndex::kNone) {
    const Entry& dst = entries_[to_idx];
    if (dst.path != to) {
      return Status::AlreadyExists("'" + to + "' cannot be stored: its key " + FileIdHex(to_key) +
                                       " is already used by '" + dst.path + "' (a 64-bit hash collision)",
                                   EEXIST);
    }
    s = CheckReplace(to, src->inode.type, dst.inode.type);
    if (!s.ok()) return s;
    result.replaced = dst.inode;
  }
  const Inode moved = src->inode;
  Erase(from_key, static_cast<uint32_t>(index_.Find(from_key, is_id_)));
  Entry* dst = nullptr;
  if (to_idx != IdIndex::kNone) {
    dst = &entries_[to_idx];
  } else {
    Entry* existing = nullptr;
    dst = Insert(to_key, to, &existing);
    if (dst == nullptr) return Status::ResourceExhausted("metadata store is full (4G entries)");
  }
  dst->inode = moved;
  sorted_valid_ = false;
  // PUT first: a crash between the records leaves both names, never neither.
  const Entry gone{from, from_key, moved};
  s = Log(MetaRecordType::kPut, *dst, log_time);
  if (!s.ok()) return s;
  s = Log(MetaRecordType::kDelete, gone, log_time);
  if (!s.ok()) return s;
  return result;
}

Result<Inode> MetadataStore::Update(const std::string& path, const InodeUpdate& u, Duration* log_time) {
  Status s = CheckMutation(path);
  if (!s.ok()) return s;
  if (u.truncate && !u.size) {
    return Status::InvalidArgument("update of '" + path + "': truncate needs a size");
  }
  Entry* e = Find(path);
  if (e == nullptr) return NotFound(path);
  if (u.size && e->inode.type == InodeType::kDirectory) return IsADirectory(path, "resizing");
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
  SortIfNeeded();
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

void MetadataStore::SortIfNeeded() {
  if (sorted_valid_) return;
  sorted_.clear();
  sorted_.reserve(index_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i].path.empty()) sorted_.push_back(&entries_[i]);
  }
  std::sort(sorted_.begin(), sorted_.end(), [](const Entry* a, const Entry* b) { return a->path < b->path; });
  sorted_valid_ = true;
}

Result<ChildPage> MetadataStore::Children(const std::string& dir, const std::string& start_after_name,
                                          size_t limit) {
  Status s = ValidatePath(dir, options_.max_path_length);
  if (!s.ok()) return s;
  if (start_after_name.find('/') != std::string::npos || start_after_name.find('\0') != std::string::npos) {
    return Status::InvalidArgument("readdir of '" + dir + "': the name to start after contains / or NUL", EINVAL);
  }
  if (limit == 0 || limit > options_.max_list_page) limit = options_.max_list_page;
  ChildPage page;
  // No child here: answered without the sorted index (rmdir and rename ask every server).
  if (child_counts_.find(options_.file_id(dir)) == child_counts_.end()) return page;
  SortIfNeeded();
  const std::string prefix = dir == "/" ? dir : dir + "/";
  auto first_at_or_after = [this](const std::string& p) {
    return std::lower_bound(sorted_.begin(), sorted_.end(), p,
                            [](const Entry* e, const std::string& q) { return e->path < q; });
  };
  // After `name`: past "<prefix><name>" and everything under "<prefix><name>/"
  // ('0' follows '/'), which would otherwise sort before the next sibling.
  auto it = first_at_or_after(start_after_name.empty() ? prefix : prefix + start_after_name + '\0');
  while (it != sorted_.end() && (*it)->path.compare(0, prefix.size(), prefix) == 0) {
    const std::string& p = (*it)->path;
    const size_t slash = p.find('/', prefix.size());
    if (slash != std::string::npos) {
      // A deeper entry (its parent directory may live in another store): skip the subtree.
      it = first_at_or_after(p.substr(0, slash) + '0');
      continue;
    }
    if (page.entries.size() == limit) {
      page.more = true;
      break;
    }
    page.entries.push_back({p.substr(prefix.size()), (*it)->inode});
    ++it;
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

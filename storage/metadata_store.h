// MetadataStore: the in-memory map path -> inode {id, type, size, mode,
// ctime, mtime} that benchfsd serves, with an optional append-only log
// (metadata_log.h) replayed at start.
//
// Entries live in a deque (appended in order, slots of deleted entries reused)
// found through a flat IdIndex keyed by the inode id, which is the chunk
// store's file id of the path (xxh3 by default); each entry keeps its path. A
// lookup hashes the path once, probes the index and compares the path; a create
// whose id is already taken by
// another path (a 64-bit hash collision) is refused with ALREADY_EXISTS
// naming both paths, so chunks are never shared between two files.
//
// Mutations change the map at once and then wait for their log record per the
// durability policy; another fiber may see a change before it is durable.
// Without a log every call completes without suspending. List() walks a
// sorted index that is rebuilt lazily after creates and deletes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/executor.h"
#include "storage/id_index.h"
#include "storage/inode.h"
#include "storage/metadata_log.h"
#include "storage/metadata_store_options.h"

namespace benchfs {

struct ListEntry {
  std::string path;
  Inode inode;
};

// One page of List(): entries in path order; `more` says whether another
// page follows (pass the last path as `start_after` to get it).
struct ListPage {
  std::vector<ListEntry> entries;
  bool more = false;
};

class MetadataStore {
 public:
  // Validates the options and replays the log if one is configured.
  static Result<std::unique_ptr<MetadataStore>> Open(Executor& ex, const MetadataStoreOptions& options);
  ~MetadataStore();
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // Exclusive create: ALREADY_EXISTS if the path exists (or its id is taken).
  // With `log_time`, the time spent appending to the log is added to it.
  Result<Inode> Create(const std::string& path, InodeType type, uint32_t mode, Duration* log_time = nullptr);
  Result<Inode> Stat(const std::string& path) const;
  Status Delete(const std::string& path, Duration* log_time = nullptr);
  Result<Inode> Update(const std::string& path, const InodeUpdate& update, Duration* log_time = nullptr);
  // Paths starting with `prefix` (which must start with '/'), in byte order,
  // after `start_after` (exclusive; "" = from the start), at most `limit`
  // entries (0 or more than max_list_page = max_list_page).
  Result<ListPage> List(const std::string& prefix, const std::string& start_after = "",
                        size_t limit = 0);

  // From a fiber: makes every acknowledged change durable (fdatasync of the log).
  Status Sync();
  // From a fiber: syncs unless the policy is `none` and closes the log.
  Status Close();

  size_t size() const { return index_.size(); }
  DurabilityPolicy durability() const { return options_.durability; }
  const MetadataStoreOptions& options() const { return options_; }
  // What replaying the log found (all zero without a log).
  const LogRecovery& recovery() const { return recovery_; }

 private:
  struct Entry {
    std::string path;
    Inode inode;
  };

  explicit MetadataStore(const MetadataStoreOptions& options);
  Entry* Find(const std::string& path);
  const Entry* Find(const std::string& path) const;
  // A slot for a new entry of `id`, or nullptr (and *existing) if the id is taken.
  Entry* Insert(uint64_t id, Entry** existing);
  void Erase(uint64_t id, uint32_t idx);
  Status Log(MetaRecordType type, const Entry& e, Duration* log_time);
  // Replays one log record; refuses a path the store would not accept or an
  // id that is not the path's.
  Status Apply(const MetaRecord& r);

  MetadataStoreOptions options_;
  // Entries in blocks of 4096 (stable addresses, one allocation per block);
  // an empty path marks a free slot.
  class EntryTable {
   public:
    Entry& operator[](size_t i) { return blocks_[i >> kShift][i & kMask]; }
    const Entry& operator[](size_t i) const { return blocks_[i >> kShift][i & kMask]; }
    size_t size() const { return size_; }
    void emplace_back() {
      if ((size_ & kMask) == 0) blocks_.push_back(std::make_unique<Entry[]>(kMask + 1));
      ++size_;
    }

   private:
    static constexpr size_t kShift = 12;
    static constexpr size_t kMask = (size_t{1} << kShift) - 1;
    std::vector<std::unique_ptr<Entry[]>> blocks_;
    size_t size_ = 0;
  };
  EntryTable entries_;
  std::vector<uint32_t> free_;   // free slots in entries_
  IdIndex index_;                // inode id -> slot in entries_
  // Confirms a candidate slot's full id for index_.
  struct IsId {
    const EntryTable* entries;
    bool operator()(uint32_t slot, uint64_t id) const { return (*entries)[slot].inode.id == id; }
  };
  IsId is_id_{&entries_};
  std::vector<const Entry*> sorted_;  // by path; valid while sorted_valid_
  bool sorted_valid_ = false;
  std::unique_ptr<MetadataLog> log_;
  LogRecovery recovery_;
  bool closed_ = false;
};

}  // namespace benchfs

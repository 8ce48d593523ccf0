// SPDX-License-Identifier: BSD-3-Clause
// MetadataStore: the in-memory map path -> inode {id, type, size, mode,
// ctime, mtime} that benchfsd serves, with an optional append-only log
// (metadata_log.h) replayed at start.
//
// Entries live in a deque (appended in order, slots of deleted entries reused)
// found through a flat IdIndex keyed by the path's key, options.file_id(path)
// (xxh3 by default); each entry keeps its path. A lookup hashes the path once,
// probes the index and compares the path; a create whose key is already taken
// by another path (a 64-bit hash collision) is refused with ALREADY_EXISTS
// naming both paths.
//
// The inode id is not the key: it is the file's stable id, drawn for each
// create by the store's FileIdAllocator (a random salt over a counter, never
// 0; consecutive creates get consecutive low bits, so consecutive chunk home
// servers), and kept across Rename() and Put(), so a file's chunks (named by the id) never
// move and a new file at an old name gets a new id.
//
// Namespace rules the store enforces per entry (a directory's children may
// live in other stores, so emptiness is the caller's to check): Unlink() with
// an expected type refuses the other one (EISDIR / ENOTDIR), Rename() and
// Put() refuse to replace a directory by a file (EISDIR) or a file by a
// directory (ENOTDIR), Update() of a directory's size is EISDIR. Errors carry
// their errno (ENOENT, EEXIST, ...). Children() lists the direct children of a
// directory held here; a per-parent count of the entries held here answers a
// directory with none at once, without the sorted index (which is rebuilt
// after any create or delete).
//
// Mutations change the map at once and then wait for their log record per the
// durability policy; another fiber may see a change before it is durable.
// Without a log every call completes without suspending. List() walks a
// sorted index that is rebuilt lazily after creates and deletes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/executor.h"
#include "storage/file_id_allocator.h"
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

// One page of Children(): names (the last component) in byte order.
struct ChildEntry {
  std::string name;
  Inode inode;
};
struct ChildPage {
  std::vector<ChildEntry> entries;
  bool more = false;
};

// Which type Unlink() expects (the other type is refused).
enum class UnlinkKind : uint8_t { kAny = 0, kFile = 1, kDirectory = 2 };

// What Rename() and Put() did: the entry now at the new name, and the inode
// they replaced there (another file's; its chunks are now the caller's to
// remove), if any.
struct MoveResult {
  Inode inode;
  std::optional<Inode> replaced;
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
  // Removes `path` if it is of `kind` (EISDIR / ENOTDIR otherwise) and, with
  // a non-zero `expect_id`, only if its id is that (ENOENT otherwise: it was
  // replaced). Returns the removed inode.
  Result<Inode> Unlink(const std::string& path, UnlinkKind kind, uint64_t expect_id = 0,
                       Duration* log_time = nullptr);
  // Moves the entry at `from` to `to` with its inode (id included), replacing
  // an entry at `to` of a compatible type. `from` == `to` changes nothing.
  // Logged as PUT(to) then DELETE(from): a crash between them leaves both.
  Result<MoveResult> Rename(const std::string& from, const std::string& to, Duration* log_time = nullptr);
  // Stores `inode` at `path` as it is (the receiving half of a move across
  // servers), replacing an entry of a compatible type.
  Result<MoveResult> Put(const std::string& path, const Inode& inode, Duration* log_time = nullptr);
  // The direct children of directory `dir` held here ("/" = the root's),
  // names after `start_after_name` ("" = from the start), at most `limit`
  // (0 or more than max_list_page = max_list_page).
  Result<ChildPage> Children(const std::string& dir, const std::string& start_after_name = "",
                             size_t limit = 0);
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
    uint64_t key = 0;  // options_.file_id(path): the index key
    Inode inode;
  };

  explicit MetadataStore(const MetadataStoreOptions& options);
  // A mutation's path argument: valid, and the store still open (UNAVAILABLE once closed).
  Status CheckMutation(const std::string& path) const;
  // A fresh inode id: never 0, unique within this store's life, random across stores.
  uint64_t NewId();
  // Sorts sorted_ if a create or delete invalidated it.
  void SortIfNeeded();
  Entry* Find(const std::string& path);
  const Entry* Find(const std::string& path) const;
  // A slot for a new entry of `id`, or nullptr (and *existing) if the id is taken.
  Entry* Insert(uint64_t key, const std::string& path, Entry** existing);
  // Adds `delta` to the count of entries here whose parent is path's parent.
  void CountChild(std::string_view path, int delta);
  void Erase(uint64_t key, uint32_t idx);
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
  IdIndex index_;                // key -> slot in entries_
  // Confirms a candidate slot's full id for index_.
  struct IsId {
    const EntryTable* entries;
    bool operator()(uint32_t slot, uint64_t key) const { return (*entries)[slot].key == key; }
  };
  IsId is_id_{&entries_};
  std::vector<const Entry*> sorted_;  // by path; valid while sorted_valid_
  // Parent key -> entries here directly under it (only non-zero counts), so
  // Children() of a directory with none here needs no sorted index.
  std::unordered_map<uint64_t, uint32_t> child_counts_;
  bool sorted_valid_ = false;
  std::unique_ptr<MetadataLog> log_;
  LogRecovery recovery_;
  FileIdAllocator ids_;  // inode ids of the files created here
  bool closed_ = false;
};

}  // namespace benchfs

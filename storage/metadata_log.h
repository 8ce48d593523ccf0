// SPDX-License-Identifier: BSD-3-Clause
// MetadataLog: the metadata store's append-only log (format in
// metadata_record.h). Open() replays it: records are handed to the caller in
// order; a torn or corrupt tail is detected by length and CRC, cut off (the
// file is truncated to the last good record) and reported, and everything
// before it is kept. A record that is intact but that the caller refuses (a
// path or id the store could never have written) is not a torn tail: Open()
// fails with CORRUPTION naming its offset, and the file is left as it is.
//
// Appends are batched without a background fiber: Stage() encodes a record
// into the pending batch at once (so log order is call order), and Wait()
// makes the first waiting fiber the writer of everything pending - a write at
// the log's end through io_uring, then the sync the policy asks for - while
// the others wait for it. Records staged during a write form the next batch.
//
//   none, close  acknowledged once written (page cache); close syncs on Sync()/Close()
//   fsync        acknowledged after its batch is written and fdatasynced
//   group        acknowledged after an fdatasync that runs at most every group_interval
//
// A failed write or sync is sticky: the log refuses every later record, since
// what is on disk no longer matches what was acknowledged.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "runtime/executor.h"
#include "runtime/unique_fd.h"
#include "storage/durability.h"
#include "storage/metadata_record.h"

namespace benchfs {

// What Open() found.
struct LogRecovery {
  uint64_t records = 0;     // records replayed
  uint64_t bytes_kept = 0;  // log size after recovery
  uint64_t bytes_cut = 0;   // torn or corrupt tail removed
  std::string cut_reason;   // why the tail was cut ("" if nothing was)
};

class MetadataLog {
 public:
  // Applies one replayed record; a non-OK status refuses the log.
  using ApplyFn = std::function<Status(const MetaRecord&)>;

  // Opens (creating if missing) and replays the log. Synchronous: call at
  // start-up. Errors name the file and what to do.
  static Result<std::unique_ptr<MetadataLog>> Open(Executor& ex, const std::string& path,
                                                   DurabilityPolicy policy, Duration group_interval,
                                                   const ApplyFn& apply, LogRecovery* recovery);
  ~MetadataLog();
  MetadataLog(const MetadataLog&) = delete;
  MetadataLog& operator=(const MetadataLog&) = delete;

  // Adds a record to the pending batch; returns its sequence number. Never
  // suspends.
  uint64_t Stage(MetaRecordType type, std::string_view path, const Inode& inode);
  // From a fiber: waits until record `seq` is acknowledged under the policy.
  Status Wait(uint64_t seq);
  // From a fiber: writes everything pending and fdatasyncs (whatever the policy).
  Status Sync();
  // From a fiber: Sync() unless the policy is `none`, then closes the file.
  Status Close();

  uint64_t size() const { return end_; }
  const std::string& path() const { return path_; }

 private:
  MetadataLog(Executor& ex, std::string path, DurabilityPolicy policy, Duration interval);
  Status Replay(const ApplyFn& apply, LogRecovery* recovery);
  // Writes and syncs batches until record `seq` is acknowledged (force_sync:
  // fdatasync even if the policy would not). Caller holds the writer role.
  void WriteBatches(uint64_t seq, bool force_sync);
  Status WriteAt(std::string_view bytes, uint64_t offset);
  void Fail(Status s);

  Executor& ex_;
  std::string path_;
  DurabilityPolicy policy_;
  Duration interval_;
  UniqueFd fd_;
  uint64_t end_ = 0;         // file offset of the next batch
  std::string pending_;      // encoded records not yet written
  uint64_t staged_ = 0;      // last sequence number staged
  uint64_t written_ = 0;     // last sequence number written
  uint64_t acked_ = 0;       // last sequence number acknowledged
  bool writing_ = false;     // a fiber holds the writer role
  bool dirty_ = false;       // written but not synced
  TimePoint last_sync_{};
  Status error_;             // sticky
  WaitQueue waiters_;
};

}  // namespace benchfs

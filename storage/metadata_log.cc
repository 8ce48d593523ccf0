// SPDX-License-Identifier: BSD-3-Clause
// MetadataLog: replay with torn-tail recovery, batched appends through io_uring.
#include "storage/metadata_log.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/uring_reactor.h"

namespace benchfs {
namespace {

constexpr size_t kReadBlock = 1 << 20;

Status SyncParentDir(const std::string& path) {
  std::string copy = path;
  const char* dir = dirname(copy.data());
  UniqueFd d(::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.valid() || ::fsync(d.get()) != 0) {
    return Status::FromErrno(errno, "metadata log: syncing directory " + std::string(dir));
  }
  return Status();
}

}  // namespace

MetadataLog::MetadataLog(Executor& ex, std::string path, DurabilityPolicy policy, Duration interval)
    : ex_(ex), path_(std::move(path)), policy_(policy), interval_(interval) {}

MetadataLog::~MetadataLog() {
  // Not closed from a fiber: keep the policy's promise with a plain syscall.
  if (fd_.valid() && policy_ != DurabilityPolicy::kNone && dirty_) ::fdatasync(fd_.get());
}

Result<std::unique_ptr<MetadataLog>> MetadataLog::Open(Executor& ex, const std::string& path,
                                                       DurabilityPolicy policy,
                                                       Duration group_interval, const ApplyFn& apply,
                                                       LogRecovery* recovery) {
  std::unique_ptr<MetadataLog> log(new MetadataLog(ex, path, policy, group_interval));
  LogRecovery scratch;
  Status s = log->Replay(apply, recovery != nullptr ? recovery : &scratch);
  if (!s.ok()) return s;
  return log;
}

Status MetadataLog::Replay(const ApplyFn& apply, LogRecovery* rec) {
  const bool existed = ::access(path_.c_str(), F_OK) == 0;
  fd_.reset(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd_.valid()) {
    Status s = Status::FromErrno(errno, "metadata log: opening " + path_);
    return Status(s.code(), s.message() + "; check log_path and its directory's permissions",
                  s.sys_errno());
  }
  struct stat st{};
  if (::fstat(fd_.get(), &st) != 0) return Status::FromErrno(errno, "metadata log: fstat " + path_);
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);

  // Header: missing or torn at creation -> (re)write it; anything else foreign -> refuse.
  char magic[8] = {};
  const ssize_t got = ::pread(fd_.get(), magic, sizeof(magic), 0);
  if (got < 0) return Status::FromErrno(errno, "metadata log: reading " + path_);
  if (static_cast<size_t>(got) < kMetaLogMagic.size()) {
    if (std::string_view(magic, static_cast<size_t>(got)) != kMetaLogMagic.substr(0, static_cast<size_t>(got))) {
      return Status::Corruption("metadata log " + path_ + " is not a BenchFS metadata log (bad header); "
                    "move it away or set another log_path");
    }
    if (::ftruncate(fd_.get(), 0) != 0 ||
        ::pwrite(fd_.get(), kMetaLogMagic.data(), kMetaLogMagic.size(), 0) !=
            static_cast<ssize_t>(kMetaLogMagic.size()) ||
        ::fdatasync(fd_.get()) != 0) {
      return Status::FromErrno(errno, "metadata log: writing the header of " + path_);
    }
    if (!existed) {
      Status d = SyncParentDir(path_);
      if (!d.ok()) return d;
    }
    end_ = kMetaLogMagic.size();
    rec->bytes_kept = end_;
    return Status();
  }
  if (std::string_view(magic, sizeof(magic)) != kMetaLogMagic) {
    return Status::Corruption("metadata log " + path_ + " is not a BenchFS metadata log (bad magic); "
                  "move it away or set another log_path");
  }

  // Records, streamed in blocks.
  std::string buf;
  uint64_t buf_offset = kMetaLogMagic.size();  // file offset of buf[0]
  uint64_t read_offset = buf_offset;
  size_t pos = 0;  // next record within buf
  MetaRecord r;
  bool eof = false;
  for (;;) {
    size_t consumed = 0;
    std::string why;
    const DecodeOutcome out = DecodeMetaRecord(std::string_view(buf).substr(pos), &r, &consumed, &why);
    if (out == DecodeOutcome::kOk) {
      Status applied = apply(r);
      if (!applied.ok()) {
        return Status::Corruption("metadata log " + path_ + ": the record at offset " + std::to_string(buf_offset + pos) +
                          " is intact but invalid (" + applied.message() +
                          "); the log is damaged or was written with other settings: restore it or move it "
                          "away, then restart");
      }
      ++rec->records;
      pos += consumed;
      continue;
    }
    if (out == DecodeOutcome::kCorrupt) {
      rec->cut_reason = why + " at offset " + std::to_string(buf_offset + pos);
      break;
    }
    if (eof) {
      if (pos < buf.size()) {
        rec->cut_reason = "torn record (" + std::to_string(buf.size() - pos) +
                          " bytes, incomplete) at offset " + std::to_string(buf_offset + pos);
      }
      break;
    }
    buf.erase(0, pos);
    buf_offset += pos;
    pos = 0;
    const size_t old = buf.size();
    buf.resize(old + kReadBlock);
    const ssize_t n = ::pread(fd_.get(), buf.data() + old, kReadBlock, static_cast<off_t>(read_offset));
    if (n < 0) return Status::FromErrno(errno, "metadata log: reading " + path_);
    buf.resize(old + static_cast<size_t>(n));
    read_offset += static_cast<uint64_t>(n);
    if (n == 0) eof = true;
  }
  end_ = buf_offset + pos;
  rec->bytes_kept = end_;
  if (end_ < file_size) {
    rec->bytes_cut = file_size - end_;
    if (::ftruncate(fd_.get(), static_cast<off_t>(end_)) != 0 || ::fdatasync(fd_.get()) != 0) {
      return Status::FromErrno(errno, "metadata log: cutting the torn tail of " + path_);
    }
  }
  return Status();
}

uint64_t MetadataLog::Stage(MetaRecordType type, std::string_view path, const Inode& inode) {
  EncodeMetaRecord(type, path, inode, &pending_);
  return ++staged_;
}

Status MetadataLog::Wait(uint64_t seq) {
  while (acked_ < seq && error_.ok()) {
    if (!writing_) {
      writing_ = true;
      WriteBatches(seq, false);
      writing_ = false;
      ex_.WakeAll(waiters_);
      continue;
    }
    if (ex_.Wait(&waiters_) != WakeReason::kNotified) {
      return Status::Cancelled("metadata log: waiting for a record to be written was cancelled");
    }
  }
  return error_;
}

Status MetadataLog::Sync() {
  while (writing_ && error_.ok()) {
    if (ex_.Wait(&waiters_) != WakeReason::kNotified) {
      return Status::Cancelled("metadata log: sync was cancelled");
    }
  }
  if (!error_.ok()) return error_;
  writing_ = true;
  WriteBatches(staged_, true);
  writing_ = false;
  ex_.WakeAll(waiters_);
  return error_;
}

Status MetadataLog::Close() {
  if (!fd_.valid()) return error_;
  Status s = policy_ == DurabilityPolicy::kNone ? Status() : Sync();
  if (policy_ == DurabilityPolicy::kNone && error_.ok() && staged_ > acked_) s = Wait(staged_);
  const int fd = fd_.release();
  Status c = ex_.uring().Close(fd);
  if (s.ok() && !c.ok()) s = Status(c.code(), "metadata log: closing " + path_ + ": " + c.message(), c.sys_errno());
  return s;
}

void MetadataLog::WriteBatches(uint64_t seq, bool force_sync) {
  const bool sync_policy = policy_ == DurabilityPolicy::kFsync || policy_ == DurabilityPolicy::kGroup;
  while (error_.ok()) {
    if (!pending_.empty()) {
      std::string batch;
      batch.swap(pending_);
      const uint64_t upto = staged_;
      Status s = WriteAt(batch, end_);
      if (!s.ok()) {
        Fail(s);
        return;
      }
      end_ += batch.size();
      written_ = upto;
      dirty_ = true;
    }
    if (sync_policy || force_sync) {
      if (policy_ == DurabilityPolicy::kGroup && !force_sync) {
        const TimePoint due = last_sync_ + interval_;
        if (Now() < due) {
          ex_.SleepUntil(due);  // records staged meanwhile join this sync
          if (!pending_.empty()) continue;
        }
      }
      if (dirty_) {
        Status s = ex_.uring().Fdatasync(fd_.get());
        if (!s.ok()) {
          Fail(Status(s.code(), "metadata log: fdatasync " + path_ + ": " + s.message(), s.sys_errno()));
          return;
        }
        dirty_ = false;
        if (policy_ == DurabilityPolicy::kGroup) last_sync_ = Now();
      }
    }
    acked_ = written_;
    ex_.WakeAll(waiters_);
    if (acked_ >= seq || pending_.empty()) return;
  }
}

Status MetadataLog::WriteAt(std::string_view bytes, uint64_t offset) {
  while (!bytes.empty()) {
    IoBuffer buf = IoBuffer::Allocate(bytes.size());
    std::memcpy(buf.data(), bytes.data(), bytes.size());
    auto r = ex_.uring().Write(fd_.get(), buf, bytes.size(), offset);
    if (!r.ok()) {
      return Status(r.status().code(), "metadata log: appending to " + path_ + ": " + r.status().message(),
                    r.status().sys_errno());
    }
    if (*r == 0) {
      return Status::IoError("metadata log: appending to " + path_ + " wrote 0 bytes");
    }
    bytes.remove_prefix(*r);
    offset += *r;
  }
  return Status();
}

void MetadataLog::Fail(Status s) {
  error_ = Status(s.code(), s.message() + " (the log now refuses further records; restart to recover)",
                  s.sys_errno());
  acked_ = staged_;  // wake everyone: they all see the error
  ex_.WakeAll(waiters_);
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// PerfLog rows and the fiber that writes them.
#include "service/perf_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/uring_reactor.h"
#include "service/proc_stats.h"

namespace benchfs {
namespace {

constexpr Opcode kLoggedOps[] = {Opcode::kPing,       Opcode::kStatus,     Opcode::kWriteChunk,
                                 Opcode::kReadChunk,  Opcode::kMetaCreate, Opcode::kMetaStat,
                                 Opcode::kMetaDelete, Opcode::kMetaUpdate, Opcode::kFsync};

}  // namespace

std::string PerfLog::Header(bool usage) {
  std::string h =
      "elapsed_s,threads,io_workers,rss_mib,vms_mib,completed,inflight,rejected_busy,malformed,ticks,parks,io_depth";
  for (Opcode op : kLoggedOps) h.append(",op.").append(OpcodeName(op));
  if (usage) h.append(",chunk_files,stored_mib");
  return h + "\n";
}

Result<std::unique_ptr<PerfLog>> PerfLog::Open(Executor& ex, const std::string& path, const RpcServer& server,
                                               Duration interval, std::function<StoreUsage()> usage) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "perf log " + path);
  std::unique_ptr<PerfLog> log(new PerfLog(ex, server, interval, fd));
  log->usage_ = std::move(usage);
  const std::string header = Header(static_cast<bool>(log->usage_));
  if (::write(fd, header.data(), header.size()) != static_cast<ssize_t>(header.size())) {
    return Status::FromErrno(errno, "perf log " + path);
  }
  log->offset_ = header.size();
  return log;
}

PerfLog::PerfLog(Executor& ex, const RpcServer& server, Duration interval, int fd)
    : ex_(ex), server_(server), interval_(interval), fd_(fd), start_(Now()), stop_(ex) {}

PerfLog::~PerfLog() { ::close(fd_); }

std::string PerfLog::Row() const {
  const ProcStats p = ReadProcStats();
  const ServerStats& s = server_.stats();
  const ExecutorStats& e = ex_.stats();
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%.3f,%u,%u,%.2f,%.2f,%llu,%llu,%llu,%llu,%llu,%llu,%u",
                std::chrono::duration<double>(Now() - start_).count(), p.threads, p.io_workers,
                p.rss_bytes / 1048576.0,
                p.vms_bytes / 1048576.0, static_cast<unsigned long long>(s.completed),
                static_cast<unsigned long long>(s.inflight), static_cast<unsigned long long>(s.rejected_busy),
                static_cast<unsigned long long>(s.malformed), static_cast<unsigned long long>(e.ticks),
                static_cast<unsigned long long>(e.parks), e.io_depth);
  std::string row = buf;
  for (Opcode op : kLoggedOps) {
    row.append(",").append(std::to_string(s.completed_per_opcode[static_cast<size_t>(op)]));
  }
  if (usage_) {
    if (rows_++ % 10 == 0) last_usage_ = usage_();
    std::snprintf(buf, sizeof(buf), ",%llu,%.2f", static_cast<unsigned long long>(last_usage_.chunk_files),
                  last_usage_.bytes / 1048576.0);
    row += buf;
  }
  return row + "\n";
}

void PerfLog::Append(const std::string& text) {
  IoBuffer buf = IoBuffer::AllocateUninitialized(text.size(), 64);
  std::memcpy(buf.data(), text.data(), text.size());
  auto n = ex_.uring().Write(fd_, buf, text.size(), offset_);
  if (n.ok()) offset_ += *n;
}

void PerfLog::Start() {
  fiber_ = ex_.Spawn([this] {
    TimePoint next = Now() + interval_;
    while (!stop_.Wait(WaitOptions::Until(next))) {
      Append(Row());
      next += interval_;
    }
  });
}

void PerfLog::Stop() {
  stop_.Set();
  if (fiber_.valid()) ex_.Join(fiber_);
  Append(Row());
}

}  // namespace benchfs

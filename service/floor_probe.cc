// SPDX-License-Identifier: BSD-3-Clause
// FloorProbe: bare UCX round trips here, bare storage on the server.
#include "service/floor_probe.h"

#include "measure/rounds.h"

namespace benchfs {
namespace {

double P50us(const Histogram& h) { return static_cast<double>(h.Percentile(0.5)) / 1000.0; }

}  // namespace

Result<std::unique_ptr<FloorProbe>> FloorProbe::Connect(const std::string& tls, const ServerRef& server,
                                                        std::vector<std::byte> worker_address, Duration timeout,
                                                        uint64_t count, uint32_t files) {
  std::unique_ptr<FloorProbe> p(new FloorProbe());
  p->count_ = count;
  p->files_ = std::min(std::max<uint32_t>(files, 1), kMaxFloorFiles);
  Status s = p->raw_.Connect(tls, server.host, server.port, worker_address, timeout);
  if (!s.ok()) return Status(s.code(), "baseline: " + s.message());
  return p;
}

Result<double> FloorProbe::Rtt(size_t send, size_t reply) {
  auto h = raw_.Measure(send, reply, count_ / 10, count_);
  if (!h.ok()) return Status(h.status().code(), "baseline: " + h.status().message());
  const double us = P50us(*h);
  rtt_[{send, reply}].push_back(us);
  return us;
}

Result<double> FloorProbe::Block(FsClient& client, const std::string& op, uint64_t size) {
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(count_, kMaxFloorCount));
  if (op == "stat") return Rtt(0, 0);
  if (op == "ping") return Rtt(size, size);
  if (op == "create" || op == "delete") {
    auto rtt = Rtt(0, 0);
    if (!rtt.ok()) return rtt;
    auto log = client.Floor(0, {FloorKind::kLogAppend, 64, n, 1});
    if (!log.ok()) return Status(log.status().code(), "baseline: FLOOR: " + log.status().message());
    const double append = static_cast<double>(log->write_p50_ns) / 1000.0;
    if (append > 0) append_.push_back(append);
    return *rtt + append;
  }
  // Data rows: the server's bare storage, then the round trips of their shapes.
  auto disk = client.Floor(0, {FloorKind::kData, size, n, files_});
  if (!disk.ok()) return Status(disk.status().code(), "baseline: FLOOR: " + disk.status().message());
  const double w = static_cast<double>(disk->write_p50_ns) / 1000.0;
  const double r = static_cast<double>(disk->read_p50_ns) / 1000.0;
  write_[size].push_back(w);
  read_[size].push_back(r);
  if (op == "write") {
    auto rtt = Rtt(size, 0);
    if (!rtt.ok()) return rtt;
    return *rtt + w;
  }
  if (op == "read") {
    auto rtt = Rtt(0, size);
    if (!rtt.ok()) return rtt;
    return *rtt + r;
  }
  auto wr = Rtt(size, 0);
  if (!wr.ok()) return wr;
  auto rd = Rtt(0, size);
  if (!rd.ok()) return rd;
  return (*wr + w + *rd + r) / 2;  // mixed: half writes, half reads
}

Status FloorProbe::ServerBlocks(FsClient& client, const std::vector<uint64_t>& sizes) {
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(count_, kMaxFloorCount));
  servers_.clear();
  for (uint32_t i = 0; i < client.servers(); ++i) {
    ServerFloors f;
    f.server = client.server(i).ToString();
    for (uint64_t size : sizes) {
      auto d = client.Floor(i, {FloorKind::kData, size, n, files_});
      if (!d.ok()) return Status(d.status().code(), "baseline: FLOOR of " + f.server + ": " + d.status().message());
      f.write_p50_us[size] = static_cast<double>(d->write_p50_ns) / 1000.0;
      f.read_p50_us[size] = static_cast<double>(d->read_p50_ns) / 1000.0;
    }
    auto log = client.Floor(i, {FloorKind::kLogAppend, 64, n, 1});
    if (!log.ok()) return Status(log.status().code(), "baseline: FLOOR of " + f.server + ": " + log.status().message());
    f.log_append_p50_us = static_cast<double>(log->write_p50_ns) / 1000.0;
    servers_.push_back(std::move(f));
  }
  return Status();
}

Baseline FloorProbe::Summary() const {
  Baseline b;
  b.servers = servers_;
  auto it = rtt_.find({0, 0});
  if (it != rtt_.end()) b.ucx_rtt_p50_us = Median(it->second);
  b.log_append_p50_us = Median(append_);
  for (const auto& [size, v] : write_) b.storage_write_p50_us[size] = Median(v);
  for (const auto& [size, v] : read_) b.storage_read_p50_us[size] = Median(v);
  return b;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The small benchmark's operations and their order.
#include "service/small_bench.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace benchfs {
namespace {

// Buffers for the operations in flight: closed loop at qd needs qd of them,
// open loop at most max_outstanding; taken and returned around each call.
class BufferStack {
 public:
  explicit BufferStack(size_t size) : size_(size) {}
  IoBuffer Take() {
    if (free_.empty()) return IoBuffer::Allocate(size_);
    IoBuffer b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Give(IoBuffer b) {
    if (!b.empty()) free_.push_back(std::move(b));
  }

 private:
  size_t size_;
  std::vector<IoBuffer> free_;
};

// The bytes file `f` of size class `size` holds: a function of both, so reads
// can be checked without remembering what was written.
void Fill(std::byte* p, size_t n, uint64_t f, uint64_t size) {
  uint64_t x = (f + 1) * 0x9E3779B97F4A7C15ULL ^ size;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = static_cast<std::byte>(x);
  }
}

// The contents of every file of one size class, generated before the
// operations are timed: generating 4 KiB takes ~7 us, which inside a timed
// write would be counted as I/O latency. Kept while files x size fits in
// kBudget; beyond that each operation generates its file's bytes.
class Patterns {
 public:
  Patterns(uint64_t files, uint64_t size) : size_(size) {
    if (files > kBudget / size) return;
    cache_.resize(files * size);
    for (uint64_t f = 0; f < files; ++f) Fill(cache_.data() + f * size, size, f, size);
  }
  void CopyTo(std::byte* p, uint64_t f) const {
    if (cache_.empty()) {
      Fill(p, size_, f, size_);
    } else {
      std::memcpy(p, cache_.data() + f * size_, size_);
    }
  }
  bool Matches(const std::byte* p, uint64_t f, std::vector<std::byte>& scratch) const {
    if (!cache_.empty()) return std::memcmp(p, cache_.data() + f * size_, size_) == 0;
    scratch.resize(size_);
    Fill(scratch.data(), size_, f, size_);
    return std::memcmp(p, scratch.data(), size_) == 0;
  }

 private:
  static constexpr uint64_t kBudget = 64ull << 20;
  uint64_t size_;
  std::vector<std::byte> cache_;
};

std::string Path(const SmallBenchConfig& c, const char* kind, uint64_t size, uint64_t i) {
  std::string p = BenchRoot(c);
  if (size > 0) p += "s" + std::to_string(size) + "/";
  p += kind + std::to_string(i);
  return p;
}

OpResult Measure(Executor& ex, FsClient& client, const SmallBenchConfig& c, const std::string& op, uint64_t size,
                 const LoadSpec& spec, const std::function<Status(uint64_t)>& fn) {
  OpResult r;
  r.op = op;
  r.size = size;
  r.qd = spec.rate > 0 ? 0 : spec.qd;
  r.rate = spec.rate;
  if (c.floor_block) r.floor_us = c.floor_block(op, size);
  std::function<void(uint64_t)> tick;
  if (c.progress) {
    tick = [&](uint64_t done) {
      std::fprintf(stderr, "\r\033[K%s %s: %llu operations", op.c_str(),
                   size ? (std::to_string(size) + "B").c_str() : "", static_cast<unsigned long long>(done));
    };
  }
  LoadSpec traced = spec;
  TimePoint op_start{};
  if (c.breakdown && op != "ping") {
    r.breakdown = std::make_shared<Breakdown>(c.same_clock);
    traced.op_start = &op_start;
    client.SetTracer(r.breakdown.get(), &op_start);
  }
  r.load = RunLoad(ex, traced, fn, tick);
  client.SetTracer(nullptr, nullptr);
  if (c.progress) std::fprintf(stderr, "\r\033[K");
  if (r.load.errors > 0) r.first_error = r.load.first_error.ToString();
  return r;
}

}  // namespace

std::string BenchRoot(const SmallBenchConfig& c) { return "/bench/" + c.client_id + "/"; }

Status ValidateSmallBench(const SmallBenchConfig& c) {
  for (const std::string& op : c.ops) {
    if (op != "create" && op != "stat" && op != "delete" && op != "write" && op != "read" && op != "mixed" &&
        op != "ping") {
      return Status::InvalidArgument("unknown operation '" + op + "': use create, stat, delete, write, read, mixed or ping");
    }
  }
  for (uint64_t s : c.sizes) {
    if (s == 0 || s > (64u << 20)) {
      return Status::InvalidArgument("size " + std::to_string(s) + " is out of range: 1 B..64 MiB");
    }
  }
  if (c.files == 0) return Status::InvalidArgument("files must be at least 1");
  return c.load.Validate();
}

std::vector<OpResult> RunSmallBench(Executor& ex, FsClient& client, const SmallBenchConfig& config) {
  std::vector<OpResult> results;
  // A run whose servers are all gone ends at once instead of counting errors.
  SmallBenchConfig c = config;
  c.load.give_up = [&client](const Status&) { return client.AllUnreachable(); };
  auto wants = [&](const char* op) { return std::find(c.ops.begin(), c.ops.end(), op) != c.ops.end(); };

  // Metadata: create a set of paths, stat them, delete each once.
  uint64_t created = 0;
  if (wants("create") || wants("stat") || wants("delete")) {
    LoadSpec create = c.load;
    OpResult r = Measure(ex, client, c, "create", 0, create, [&](uint64_t i) {
      Status s = client.Create(Path(c, "m", 0, i)).status();
      if (s.ok()) created = std::max(created, i + 1);
      return s;
    });
    if (wants("create")) results.push_back(std::move(r));
    if (client.AllUnreachable()) return results;
    if (wants("stat") && created > 0) {
      results.push_back(Measure(ex, client, c, "stat", 0, c.load, [&](uint64_t i) {
        return client.Stat(Path(c, "m", 0, i % created)).status();
      }));
      if (client.AllUnreachable()) return results;
    }
    if (created > 0) {
      // Each created path is deleted exactly once, whatever the load shape.
      LoadSpec del = c.load;
      del.duration = Duration(0);
      del.warmup = Duration(0);
      del.warmup_iterations = std::min<uint64_t>(c.load.warmup_iterations, created / 2);
      del.iterations = created - del.warmup_iterations;
      OpResult d = Measure(ex, client, c, "delete", 0, del, [&](uint64_t i) { return client.Delete(Path(c, "m", 0, i)); });
      if (wants("delete")) results.push_back(std::move(d));
    }
  }

  for (uint64_t size : c.sizes) {
    BufferStack buffers(size);
    uint64_t written = 0;
    const bool data = wants("write") || wants("read") || wants("mixed");
    const Patterns patterns(data ? c.files : 0, size);
    std::vector<std::byte> expect;
    auto write = [&](uint64_t i) {
      const uint64_t f = i % c.files;
      IoBuffer b = buffers.Take();
      patterns.CopyTo(b.data(), f);
      Status s = client.WriteChunk(Path(c, "f", size, f), 0, 0, b, size);
      buffers.Give(std::move(b));
      if (s.ok()) written = std::max(written, f + 1);
      return s;
    };
    auto read = [&](uint64_t i) {
      const uint64_t f = i % written;
      IoBuffer b = buffers.Take();
      auto n = client.ReadChunk(Path(c, "f", size, f), 0, 0, b, size);
      Status s = n.status();
      if (s.ok() && *n != size) {
        s = Status::IoError("short read of " + Path(c, "f", size, f) + ": " + std::to_string(*n) +
                                             " of " + std::to_string(size) + " bytes");
      }
      if (s.ok() && c.verify && !patterns.Matches(b.data(), f, expect)) {
        s = Status::Corruption("data read from " + Path(c, "f", size, f) + " differs from what was written");
      }
      buffers.Give(std::move(b));
      return s;
    };
    if (data) {
      // Every file is written once, unmeasured, before the measured writes:
      // creating a chunk file (and its owner record) is a different cost
      // from writing into one, and reads need every file to exist.
      LoadSpec prefill;
      prefill.qd = c.load.qd;
      prefill.iterations = c.files;
      prefill.give_up = c.load.give_up;
      RunLoad(ex, prefill, write);
      if (client.AllUnreachable()) return results;
    }
    if (wants("write")) results.push_back(Measure(ex, client, c, "write", size, c.load, write));
    if (client.AllUnreachable()) return results;
    if (wants("read") && written > 0) results.push_back(Measure(ex, client, c, "read", size, c.load, read));
    if (client.AllUnreachable()) return results;
    if (wants("mixed") && written > 0) {
      // Even operations write, odd ones read: half and half, interleaved, on
      // the same files (a write stores the bytes the file already holds, so
      // --verify holds while both are in flight).
      results.push_back(Measure(ex, client, c, "mixed", size, c.load,
                                [&](uint64_t i) { return (i & 1) ? read(i >> 1) : write(i >> 1); }));
    }
    if (wants("ping")) {
      results.push_back(Measure(ex, client, c, "ping", size, c.load, [&](uint64_t i) {
        IoBuffer out = buffers.Take();
        IoBuffer in = buffers.Take();
        Status s = client.Ping(static_cast<uint32_t>(i % client.servers()), &out, size, &in);
        buffers.Give(std::move(out));
        buffers.Give(std::move(in));
        return s;
      }));
    }
  }
  return results;
}

}  // namespace benchfs

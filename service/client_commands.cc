// SPDX-License-Identifier: BSD-3-Clause
// benchfs commands: connection set-up shared by all, the small benchmark with
// its floors and reports, and the one-off file operations.
#include "service/client_commands.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "measure/compare.h"
#include "measure/report.h"
#include "measure/rounds.h"
#include "rpc/registry.h"
#include "runtime/executor.h"
#include "runtime/unique_fd.h"
#include "runtime/uring_reactor.h"
#include "service/floor_probe.h"
#include "service/fs_client.h"
#include "plot_script.h"
#include "service/proc_stats.h"
#include "service/knob_registry.h"
#include "service/knobs.h"

extern char** environ;

namespace benchfs {
namespace {

// A setup or call failure. An invalid value met on the way (an executor
// knob the kernel refuses, a server that is not there) is one too: only bad
// arguments carry kInvalidArgument (client_commands.h).
Status Failure(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument ? Status::Unavailable(s.message()) : s;
}

Status Failure(const std::string& what) { return Status::Unavailable(what); }

// Bad arguments, some found only once the servers are known.
Status UsageError(const std::string& what) { return Status::InvalidArgument(what); }

Result<std::vector<ServerRef>> ServerRefs(const ClientOptions& o) {
  std::vector<ServerRef> refs = o.refs;
  for (const std::string& s : o.servers) {
    auto r = ServerRef::Parse(s);
    if (!r.ok()) return Status(r.status().code(), "--server: " + r.status().message());
    refs.push_back(*r);
  }
  if (!o.registry_dir.empty()) {
    // Servers started by the same launcher may still be coming up.
    const TimePoint give_up = Now() + o.registry_wait;
    auto listed = ListRegistry(o.registry_dir);
    while (o.expect_servers > 0 && Now() < give_up &&
           (!listed.ok() || listed->size() < o.expect_servers)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      listed = ListRegistry(o.registry_dir);
    }
    if (!listed.ok()) return listed.status();
    if (o.expect_servers > 0 && listed->size() < o.expect_servers) {
      return Status::TimedOut("registry " + o.registry_dir + " lists " +
                                               std::to_string(listed->size()) + " servers after " +
                                               FormatDuration(o.registry_wait) + ", expected " +
                                               std::to_string(o.expect_servers));
    }
    refs.insert(refs.end(), listed->begin(), listed->end());
  }
  if (refs.empty()) {
    return Status::InvalidArgument("no server given: use --server host:port or --registry DIR");
  }
  return refs;
}

// Builds the executor, connects an FsClient to every server and runs `fn`
// in a fiber. Returns what fn returns, or the set-up's failure.
Status WithClient(const ClientOptions& o, const std::function<Status(Executor&, FsClient&)>& fn,
                  const ConnectOptions& connect = {}) {
  auto refs = ServerRefs(o);
  if (!refs.ok()) return Failure(refs.status());
  auto ex = Executor::Create(o.executor);
  if (!ex.ok()) return Failure(ex.status());
  auto ucx = (*ex)->EnableUcx(o.ucx);
  if (!ucx.ok()) return Failure(ucx.status());
  Status result;
  (*ex)->Run([&] {
    auto client = FsClient::Connect(**ucx, *refs, o.rpc, connect);
    if (!client.ok()) {
      result = Failure(client.status());
      return;
    }
    result = fn(**ex, **client);
  });
  return result;
}


// The floor probe of a --baseline run, connected to the first server.
Result<std::unique_ptr<FloorProbe>> ConnectFloorProbe(const ClientOptions& o, const ServerRef& server,
                                                      const OutputOptions& out, uint32_t files) {
  std::vector<std::byte> address = server.worker_address;
  if (address.empty() && !server.registry_dir.empty()) {
    // Outside any event loop here: a blocking read of the entry is fine.
    auto entry = ReadAddressBlocking(server.registry_dir, server.registry_name);
    if (!entry.ok()) return Status(entry.status().code(), "baseline: " + entry.status().message());
    address = std::move(entry.value());
  }
  return FloorProbe::Connect(o.ucx.tls, server, std::move(address), o.rpc.connect_timeout, out.baseline_iterations,
                            files);
}

// Refuses an output path that cannot be written, before a run rather than
// after it. A file this check creates is removed again.
Status CheckWritable(const std::string& path, const char* flag) {
  if (path.empty()) return Status();
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, std::string(flag) + " " + path + " cannot be written");
  ::close(fd);
  if (!existed) ::unlink(path.c_str());
  return Status();
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  f.close();
  if (!f) return Status::IoError("cannot write " + path);
  return Status();
}

std::string Lookup(const std::vector<std::pair<std::string, uint64_t>>& kv, const std::string& prefix) {
  for (const auto& [k, v] : kv) {
    if (k.rfind(prefix, 0) == 0 && v == 1 && k.size() > prefix.size()) return k.substr(prefix.size());
  }
  return "unknown";
}

// Every name under `prefix`, joined by spaces ("" if none).
std::string Names(const std::vector<std::pair<std::string, uint64_t>>& kv, const std::string& prefix) {
  std::string out;
  for (const auto& [k, v] : kv) {
    if (k.rfind(prefix, 0) == 0 && k.size() > prefix.size()) out += (out.empty() ? "" : " ") + k.substr(prefix.size());
  }
  return out;
}

uint64_t Value(const std::vector<std::pair<std::string, uint64_t>>& kv, const std::string& key) {
  for (const auto& [k, v] : kv) {
    if (k == key) return v;
  }
  return 0;
}

}  // namespace

namespace {

// One run of the small benchmark: floors, the benchmark, the report. On
// success *json holds the result document and *errors whether any op failed.
Status BenchSmall(const ClientOptions& o, const SmallBenchConfig& bench, const OutputOptions& out, bool quiet,
               std::string* json, bool* errors) {
  Status v = ValidateSmallBench(bench);
  if (!v.ok()) return Failure(v);
  for (const auto& [path, flag] : {std::pair{out.json_path, "--json"}, std::pair{out.csv_path, "--csv"}}) {
    Status w = CheckWritable(path, flag);
    if (!w.ok()) return UsageError(w.message());
  }
  auto refs = ServerRefs(o);
  if (!refs.ok()) return Failure(refs.status());

  std::unique_ptr<FloorProbe> probe;
  if (out.baseline && !o.rpc.token.empty()) {
    return Failure("--baseline cannot be used with --token-file: the floor is a bare UCX message that does not "
                "take part in the HELLO exchange, and a daemon with a token does not answer it");
  }
  if (out.baseline) {
    auto p = ConnectFloorProbe(o, refs->front(), out, bench.files);
    if (!p.ok()) return Failure(p.status());
    probe = std::move(p.value());
  }
  const uint32_t rounds = out.repeat > 0 ? out.repeat : (out.baseline ? 3 : 1);
  Status floor_error;
  SmallBenchConfig run = bench;

  Manifest manifest = BaseManifest();
  std::vector<OpResult> results;
  nlohmann::json setup;  // connection set-up and what each server cost
  bool excluded_any = false;
  auto record_servers = [&](FsClient& client) {
    setup["per_server"] = nlohmann::json::array();
    for (uint32_t i = 0; i < client.servers(); ++i) {
      const ServerCallStats& st = client.call_stats(i);
      nlohmann::json e = {{"server", client.server(i).ToString()}, {"calls", st.calls}, {"failed", st.failed},
                          {"excluded_calls", st.excluded_calls}, {"connect_s", st.connect_s},
                          {"excluded", client.excluded(i)}};
      if (client.excluded(i)) e["reason"] = client.exclusion(i).ToString();
      excluded_any |= client.excluded(i);
      setup["per_server"].push_back(std::move(e));
    }
  };
  Status code = WithClient(o, [&](Executor& ex, FsClient& client) {
    setup["connect_s"] = client.connect_seconds();
    setup["connected_at"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    setup["servers"] = client.servers();
    // Whatever ends the run from here, the servers' costs are recorded.
    struct Record {
      std::function<void()> fn;
      ~Record() { fn(); }
    } on_exit{[&] { record_servers(client); }};
    for (uint32_t i = 0; i < client.servers(); ++i) {
      if (client.excluded(i) && !quiet) {
        std::fprintf(stderr, "benchfs: %s excluded: %s\n", client.server(i).ToString().c_str(),
                     client.exclusion(i).message().c_str());
      }
    }
    const uint32_t first = client.first_reachable();
    auto kv = client.ServerStatus(first);
    if (!kv.ok()) return Failure("STATUS of " + client.server(first).ToString() + ": " + kv.status().message());
    manifest.Set("transport", client.connection(first)->Transports());
    manifest.Set("backend", Lookup(*kv, "backend."));
    manifest.Set("durability", Lookup(*kv, "durability."));
    manifest.chunk_size = Value(*kv, "chunk_size");
    manifest.Set("server_listen", Names(*kv, "listen."));
    manifest.Set("server_net_devices", Names(*kv, "net_devices."));
    for (uint32_t i = 0; i < client.servers(); ++i) manifest.servers.push_back(client.server(i).ToString());
    // The breakdown splits the two network legs only on one clock.
    run.same_clock = true;
    for (uint32_t i = 0; i < client.servers() && run.breakdown; ++i) {
      auto skv = i == first ? kv : client.ServerStatus(i);
      const uint64_t boot = skv.ok() ? Value(*skv, "boot_id") : 0;
      run.same_clock = run.same_clock && boot != 0 && boot == BootIdPrefix();
    }
    // Sizes beyond a chunk cannot be written in one operation: refuse them
    // before anything runs.
    const bool data = std::any_of(bench.ops.begin(), bench.ops.end(), [](const std::string& op) {
      return op == "write" || op == "read" || op == "mixed";
    });
    for (uint64_t size : bench.sizes) {
      if (data && manifest.chunk_size > 0 && size > manifest.chunk_size) {
        return UsageError("--sizes: " + FormatSize(size) + " is larger than the servers' chunk size " +
                     FormatSize(manifest.chunk_size) + " (benchfsd --chunk-size)");
      }
    }
    uint64_t prewrite = 0;
    for (uint64_t size : bench.sizes) prewrite += data ? size * bench.files : 0;
    if (!quiet && prewrite >= (1ull << 30)) {
      std::fprintf(stderr, "benchfs: writing %s (--files %u per size) before the first figure\n",
                   FormatSize(prewrite).c_str(), bench.files);
    }
    if (out.start_at > 0) {
      const auto start = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(out.start_at)));
      const auto wait = start - std::chrono::system_clock::now();
      if (wait > std::chrono::hours(1)) return Failure("--start-at is more than an hour away");
      if (wait > std::chrono::system_clock::duration(0)) ex.SleepFor(std::chrono::duration_cast<Duration>(wait));
    }
    if (probe) {
      run.floor_block = [&](const std::string& op, uint64_t size) -> std::optional<double> {
        if (!floor_error.ok()) return std::nullopt;
        auto f = probe->Block(client, op, size);
        if (!f.ok()) floor_error = f.status();
        return f.ok() ? std::optional<double>(*f) : std::nullopt;
      };
    }
    // Rounds: each row's floor block right before its op block, every round.
    std::vector<std::vector<OpResult>> per_round;
    for (uint32_t k = 0; k < rounds && !client.AllUnreachable() && floor_error.ok(); ++k) {
      per_round.push_back(RunSmallBench(ex, client, run));
    }
    if (!floor_error.ok()) return Failure(floor_error);
    // Every server's own storage floors, once, so runs over several servers
    // (and the cluster summaries) can tell a slow server from a slow network.
    if (probe && client.servers() > 1 && !client.AllUnreachable()) {
      Status s = probe->ServerBlocks(client, bench.sizes);
      if (!s.ok()) return Failure(s);
    }
    results = rounds == 1 && !per_round.empty() ? per_round.front() : CombineRounds(per_round);
    if (client.AllUnreachable()) {
      return Failure("stopped: every server is unreachable (" + client.UnreachableReport() + ")");
    }
    if (!out.keep) {
      auto removed = client.RemovePrefix(BenchRoot(bench));
      if (!removed.ok()) return Failure("removing what the benchmark wrote: " + removed.status().message());
    }
    if (results.empty()) {
      return Failure("measured nothing: the run was too short to create a file to work on (give a longer "
                  "--duration or --iterations)");
    }
    for (const OpResult& r : results) {
      if (r.load.ok == 0 && r.load.errors == 0) {
        return Failure("measured no " + r.op + (r.size ? " " + FormatSize(r.size) : std::string()) +
                    " operation: the run was too short to complete one (give a longer --duration or --iterations)");
      }
    }
    return Status();
  }, ConnectOptions{.exclude_unreachable = true});
  if (!code.ok()) return code;
  manifest.Set("reactor_mode", std::string(ReactorModeName(o.executor.reactor_mode)));
  manifest.reactor = ReactorManifest(o.executor);
  manifest.qd = bench.load.rate > 0 ? 0 : bench.load.qd;
  manifest.rate = bench.load.rate;
  std::optional<Baseline> baseline;
  if (probe) {
    baseline = probe->Summary();
    FlagSuspectFloors(results);
  }
  manifest.Set("rounds", std::to_string(rounds));
  if (!quiet) std::printf("benchfs bench small: %s, %s, backend %s, durability %s, transport %s\n",
              manifest.servers.size() == 1 ? manifest.servers[0].c_str()
                                           : (std::to_string(manifest.servers.size()) + " servers").c_str(),
              bench.load.rate > 0 ? ("rate " + std::to_string(static_cast<uint64_t>(bench.load.rate)) + "/s").c_str()
                                  : ("qd " + std::to_string(bench.load.qd)).c_str(),
              manifest.Get("backend").c_str(), manifest.Get("durability").c_str(), manifest.Get("transport").c_str());
  if (!quiet) std::fputs(FormatTable(results, baseline).c_str(), stdout);
  for (const std::string& w : NoisyHostWarnings(results)) std::fprintf(stderr, "benchfs: %s\n", w.c_str());
  *json = ToJson(manifest, results, baseline);
  {
    nlohmann::json doc = nlohmann::json::parse(*json);
    doc["setup"] = std::move(setup);
    *json = doc.dump(2) + "\n";
  }
  if (!out.csv_path.empty()) {
    Status s = WriteFile(out.csv_path, ToCsv(results));
    if (!s.ok()) return Failure(s);
  }
  *errors = excluded_any;
  for (const OpResult& r : results) *errors |= r.load.errors > 0;
  return Status();
}

}  // namespace

// Runs the embedded plot script on the result document: python3 -c SCRIPT JSON PNG.
Status Plot(const std::string& json, const std::string& png) {
  char tmp[] = "/tmp/benchfs-plot-XXXXXX";
  const int fd = mkstemp(tmp);
  if (fd < 0) return Status::FromErrno(errno, "--plot: a temporary file");
  const bool written = ::write(fd, json.data(), json.size()) == static_cast<ssize_t>(json.size());
  ::close(fd);
  if (!written) {
    ::unlink(tmp);
    return Status::IoError("--plot: writing a temporary file failed");
  }
  std::string script = kPlotBreakdownScript;
  // Debian's interpreter first: python3-matplotlib installs for it.
  std::string python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  std::vector<char*> argv = {python.data(), const_cast<char*>("-c"), script.data(), tmp,
                             const_cast<char*>(png.c_str()), nullptr};
  pid_t pid = -1;
  const int err = posix_spawnp(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ);
  int status = 0;
  if (err == 0) ::waitpid(pid, &status, 0);
  ::unlink(tmp);
  if (err != 0) return Status::FromErrno(err, "--plot: starting python3");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Internal("--plot: the plot script failed (see its message above)");
  }
  return Status();
}

Result<bool> RunBenchSmall(const ClientOptions& o, const SmallBenchConfig& bench, const OutputOptions& out) {
  if (!out.plot_path.empty() && !bench.breakdown) return UsageError("--plot draws the breakdown: add --breakdown");
  Status w = CheckWritable(out.plot_path, "--plot");
  if (!w.ok()) return UsageError(w.message());
  std::string json;
  bool errors = false;
  Status code = BenchSmall(o, bench, out, false, &json, &errors);
  if (!code.ok()) return code;
  if (!out.json_path.empty()) {
    Status s = WriteFile(out.json_path, json);
    if (!s.ok()) return Failure(s);
  }
  if (!out.plot_path.empty()) {
    Status s = Plot(json, out.plot_path);
    if (!s.ok()) return Failure(s);
    std::printf("breakdown plot: %s\n", out.plot_path.c_str());
  }
  return errors;
}

Result<std::string> BenchSmallJson(const ClientOptions& o, const SmallBenchConfig& bench, const OutputOptions& out,
                                   bool quiet) {
  std::string json;
  bool errors = false;
  Status code = BenchSmall(o, bench, out, quiet, &json, &errors);
  if (!code.ok()) return code;
  return json;
}

Result<uint32_t> RunStatus(const ClientOptions& o, const std::string& json_path) {
  uint32_t failed = 0;
  Status s = WithClient(o, [&](Executor&, FsClient& c) {
    nlohmann::json doc = {{"servers", nlohmann::json::array()}};
    for (uint32_t i = 0; i < c.servers(); ++i) {
      auto kv = c.ServerStatus(i);
      std::printf("%s\n", c.server(i).ToString().c_str());
      nlohmann::json entry = {{"server", c.server(i).ToString()}, {"counters", nlohmann::json::object()}};
      if (!kv.ok()) {
        std::printf("  error: %s\n", kv.status().ToString().c_str());
        entry["error"] = kv.status().ToString();
        ++failed;
      } else {
        for (const auto& [k, v] : *kv) {
          std::printf("  %-26s %llu\n", k.c_str(), static_cast<unsigned long long>(v));
          entry["counters"][k] = v;
        }
      }
      doc["servers"].push_back(entry);
    }
    if (!json_path.empty()) {
      Status w = WriteFile(json_path, doc.dump(2) + "\n");
      if (!w.ok()) return Failure(w);
    }
    return Status();
  });
  if (!s.ok()) return s;
  return failed;
}

Result<uint32_t> RunShutdown(const ClientOptions& o) {
  uint32_t failed = 0;
  Status s = WithClient(o, [&](Executor&, FsClient& c) {
    for (uint32_t i = 0; i < c.servers(); ++i) {
      Status down = c.Shutdown(i);
      std::printf("%s: %s\n", c.server(i).ToString().c_str(), down.ok() ? "shutting down" : down.ToString().c_str());
      if (!down.ok()) ++failed;
    }
    return Status();
  });
  if (!s.ok()) return s;
  return failed;
}

namespace {

Result<uint64_t> ChunkSize(FsClient& c) {
  auto kv = c.ServerStatus(0);
  if (!kv.ok()) return kv.status();
  uint64_t cs = Value(*kv, "chunk_size");
  if (cs == 0) return Status::ProtocolError("server did not report its chunk size");
  return cs;
}

}  // namespace

namespace {

// Reads exactly `n` bytes at `offset` of `fd` into `buf` through the ring.
Status ReadFully(Executor& ex, int fd, IoBuffer& buf, size_t n, uint64_t offset, const std::string& what) {
  auto got = ex.uring().Read(fd, buf, n, offset);
  size_t done = got.ok() ? *got : 0;
  while (got.ok() && done < n && *got > 0) {  // a short read: the rest through a scratch buffer
    IoBuffer part = IoBuffer::AllocateUninitialized(n - done);
    got = ex.uring().Read(fd, part, n - done, offset + done);
    if (got.ok()) std::memcpy(buf.data() + done, part.data(), *got);
    if (got.ok()) done += *got;
  }
  if (!got.ok()) return Status(got.status().code(), what + ": " + got.status().message());
  if (done < n) return Status::IoError(what + " ended early (did it change during the put?)");
  return Status();
}

}  // namespace

Status RunPut(const ClientOptions& o, const std::string& path, uint64_t size, const std::string& from_file) {
  UniqueFd in;
  if (!from_file.empty()) {
    in.reset(::open(from_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid()) return UsageError(Status::FromErrno(errno, "put --from " + from_file).message());
    struct stat st{};
    if (::fstat(in.get(), &st) != 0) return Failure(Status::FromErrno(errno, "put --from " + from_file).message());
    if (S_ISDIR(st.st_mode)) return UsageError("put --from " + from_file + " is a directory: give a regular file");
    if (!S_ISREG(st.st_mode)) return UsageError("put --from " + from_file + " is not a regular file");
    size = static_cast<uint64_t>(st.st_size);
  }
  return WithClient(o, [&](Executor& ex, FsClient& c) {
    auto cs = ChunkSize(c);
    if (!cs.ok()) return Failure(cs.status());
    auto created = c.Create(path);
    if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) return Failure(created.status());
    // A put that fails leaves nothing behind of a file it created.
    auto failed = [&](const Status& s) {
      if (!created.ok()) return Failure(s);
      Status undo = c.Remove(path);
      return Failure(s.message() + (undo.ok() ? "; " + path + " was removed again"
                                           : "; removing " + path + " failed too: " + undo.message()));
    };
    XXH3_state_t* hash = XXH3_createState();
    XXH3_64bits_reset(hash);
    // One chunk in memory at a time, whatever the file's size.
    IoBuffer b = IoBuffer::AllocateUninitialized(std::min<uint64_t>(*cs, std::max<uint64_t>(size, 1)));
    Status code;
    for (uint64_t off = 0; off < size && code.ok(); off += *cs) {
      const size_t n = std::min<uint64_t>(*cs, size - off);
      if (in.valid()) {
        Status r = ReadFully(ex, in.get(), b, n, off, "reading " + from_file);
        if (!r.ok()) code = failed(r);
      } else {
        for (size_t i = 0; i < n; ++i) b.data()[i] = static_cast<std::byte>(((off + i) * 131 + 7) & 0xff);
      }
      if (!code.ok()) break;
      XXH3_64bits_update(hash, b.data(), n);
      Status s = c.WriteChunk(path, off / *cs, 0, b, n);
      if (!s.ok()) code = failed(s);
    }
    const uint64_t sum = XXH3_64bits_digest(hash);
    XXH3_freeState(hash);
    if (!code.ok()) return code;
    auto up = c.Update(path, InodeUpdate::Truncate(size));
    if (!up.ok()) return failed(up.status());
    std::printf("%s: %llu bytes, xxh3 %016llx\n", path.c_str(), static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(sum));
    return Status();
  });
}

Status RunGet(const ClientOptions& o, const std::string& path, const std::string& to_file) {
  UniqueFd out;
  if (!to_file.empty()) {
    out.reset(::open(to_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!out.valid()) return UsageError(Status::FromErrno(errno, "get --to " + to_file).message());
  }
  return WithClient(o, [&](Executor& ex, FsClient& c) {
    auto cs = ChunkSize(c);
    if (!cs.ok()) return Failure(cs.status());
    auto st = c.Stat(path);
    if (!st.ok()) return Failure(st.status());
    XXH3_state_t* hash = XXH3_createState();
    XXH3_64bits_reset(hash);
    IoBuffer b = IoBuffer::AllocateUninitialized(std::min<uint64_t>(*cs, std::max<uint64_t>(st->size, 1)));
    Status code;
    for (uint64_t off = 0; off < st->size && code.ok(); off += *cs) {
      const size_t n = std::min<uint64_t>(*cs, st->size - off);
      auto got = c.ReadChunk(path, off / *cs, 0, b, n);
      if (!got.ok() && got.status().code() != StatusCode::kNotFound) {
        code = Failure(got.status());
        break;
      }
      const size_t have = got.ok() ? *got : 0;
      std::memset(b.data() + have, 0, n - have);  // a hole (or a missing chunk) reads as zeros
      XXH3_64bits_update(hash, b.data(), n);
      if (out.valid()) {
        auto w = ex.uring().Write(out.get(), b, n, off);
        if (!w.ok() || *w != n) code = Failure("cannot write " + to_file + (w.ok() ? ": short write" : ": " + w.status().message()));
      }
    }
    const uint64_t sum = XXH3_64bits_digest(hash);
    XXH3_freeState(hash);
    if (!code.ok()) return code;
    std::printf("%s: %llu bytes, xxh3 %016llx\n", path.c_str(), static_cast<unsigned long long>(st->size),
                static_cast<unsigned long long>(sum));
    return Status();
  });
}

Status RunStat(const ClientOptions& o, const std::string& path) {
  return WithClient(o, [&](Executor&, FsClient& c) {
    auto st = c.Stat(path);
    if (!st.ok()) return Failure(st.status());
    std::printf("%s: %s, %llu bytes, mode %o, id %016llx\n", path.c_str(), std::string(InodeTypeName(st->type)).c_str(),
                static_cast<unsigned long long>(st->size), st->mode, static_cast<unsigned long long>(st->id));
    return Status();
  });
}

Status RunCompare(const std::vector<std::string>& files) {
  if (files.size() < 2) return UsageError("compare: give at least two result files (A.json B.json ...)");
  std::vector<std::vector<CompareRow>> runs;
  for (const std::string& f : files) {
    std::ifstream in(f);
    if (!in) return UsageError("compare: cannot read " + f);
    std::stringstream text;
    text << in.rdbuf();
    auto rows = ParseCompareRows(text.str(), f);
    if (!rows.ok()) return UsageError("compare: " + rows.status().message());
    runs.push_back(std::move(rows.value()));
  }
  for (size_t i = 1; i < runs.size(); ++i) {
    if (i > 1) std::printf("\n");
    std::fputs(FormatComparison(files[0], files[i], CompareRuns(runs[0], runs[i])).c_str(), stdout);
  }
  return Status();
}

Status RunRemove(const ClientOptions& o, const std::string& path) {
  return WithClient(o, [&](Executor&, FsClient& c) {
    Status s = c.Remove(path);
    if (!s.ok()) return Failure(s);
    std::printf("%s: removed\n", path.c_str());
    return Status();
  });
}

Status RunRemovePrefix(const ClientOptions& o, const std::string& prefix) {
  if (prefix.empty() || prefix[0] != '/') return UsageError("rm --prefix: '" + prefix + "' does not start with '/'");
  return WithClient(o, [&](Executor&, FsClient& c) {
    auto r = c.RemovePrefix(prefix);
    if (!r.ok()) return Failure(r.status());
    std::printf("%s*: removed %llu files and %llu metadata entries on %u servers\n", prefix.c_str(),
                static_cast<unsigned long long>(r->files), static_cast<unsigned long long>(r->metadata_entries),
                c.servers());
    return Status();
  });
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Table, JSON and CSV rendering of benchmark results.
#include "measure/report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "measure/breakdown_json.h"
#include "measure/rounds.h"

#ifndef BENCHFS_VERSION
#define BENCHFS_VERSION "unknown"
#endif
#ifndef BENCHFS_GIT
#define BENCHFS_GIT "unknown"
#endif

namespace benchfs {
namespace {

double Us(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

double MibPerS(const OpResult& r, double ops_per_s) {
  return r.size == 0 ? 0.0 : ops_per_s * static_cast<double>(r.size) / (1024.0 * 1024.0);
}

std::string SizeText(uint64_t size) {
  if (size == 0) return "-";
  if (size % 1024 == 0) return std::to_string(size / 1024) + "KiB";
  return std::to_string(size) + "B";
}

std::string Micros(double us) {
  char b[32];
  if (us >= 100000) {
    std::snprintf(b, sizeof(b), "%.1fms", us / 1000.0);
  } else if (us >= 100) {
    std::snprintf(b, sizeof(b), "%.0f", us);
  } else {
    std::snprintf(b, sizeof(b), "%.2f", us);
  }
  return b;
}

std::string Now8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

}  // namespace

void Manifest::Set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : fields) {
    if (k == key) {
      v = value;
      return;
    }
  }
  fields.emplace_back(key, value);
}

std::string Manifest::Get(const std::string& key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return "";
}

Manifest BaseManifest() {
  Manifest m;
  m.Set("version", BENCHFS_VERSION);
  m.Set("git", BENCHFS_GIT);
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  m.Set("host", host);
  utsname u{};
  uname(&u);
  m.Set("kernel", std::string(u.sysname) + " " + u.release);
  m.Set("started_at", Now8601());
  return m;
}

std::string FormatBreakdown(const std::vector<OpResult>& results) {
  std::string out;
  char line[512];
  for (const char* at : {"p50", "p99"}) {
    bool header = false;
    const bool p50 = std::string(at) == "p50";
    for (const OpResult& r : results) {
      const Breakdown* bd = BreakdownAt(r, p50 ? 0.5 : 0.99);
      if (bd == nullptr || bd->calls() == 0) continue;
      const BreakdownFigures b = bd->Figures();
      const StageBand& band = p50 ? b.p50 : b.p99;
      if (!header) {
        std::snprintf(line, sizeof(line),
                      "breakdown at %s (us; the mean of the calls around %s%s; the stages sum to `total`):\n", at, at,
                      r.rounds.size() > 1 ? " in the round whose figure is the median" : "");
        out += line;
        std::snprintf(line, sizeof(line), "%-7s %7s %9s %9s %9s %9s %9s %9s %9s %9s\n", "op", "size", "send", "queue",
                      "handler", "storage", "log", "reply", "total", std::string(at) == "p50" ? "p50" : "p99");
        out += line;
        header = true;
      }
      const RoundFigures f = Reported(r);
      std::snprintf(line, sizeof(line), "%-7s %7s %9s %9s %9s %9s %9s %9s %9s %9s%s\n", r.op.c_str(),
                    SizeText(r.size).c_str(), Micros(band.stage_us[kStageSend]).c_str(),
                    Micros(band.stage_us[kStageQueue]).c_str(), Micros(band.stage_us[kStageHandler]).c_str(),
                    Micros(band.stage_us[kStageStorage]).c_str(), Micros(band.stage_us[kStageLog]).c_str(),
                    b.same_clock ? Micros(band.stage_us[kStageReply]).c_str() : "-", Micros(band.total_us).c_str(),
                    Micros(std::string(at) == "p50" ? f.p50_us : f.p99_us).c_str(),
                    b.same_clock ? "" : "  (other host: send = both network legs)");
      out += line;
    }
  }
  return out;
}

std::string FormatTable(const std::vector<OpResult>& results, const std::optional<Baseline>& baseline) {
  std::string out;
  char line[512];
  bool several = false;
  for (const OpResult& r : results) several |= r.rounds.size() > 1;
  std::snprintf(line, sizeof(line), "%-7s %7s %4s %9s %6s %9s %9s %9s %9s %9s %11s %9s%s%s\n", "op", "size", "qd",
                "count", "errors", "p50(us)", "p90(us)", "p99(us)", "p99.9(us)", "max(us)", "ops/s", "MiB/s",
                several ? "  p50 min-max" : "", baseline ? "   floor(us)  p50/floor" : "");
  out += line;
  std::vector<std::string> notes;
  for (const OpResult& r : results) {
    const Histogram& h = r.load.latency_ns;
    const RoundFigures f = Reported(r);
    std::string spread;
    if (several) {
      char b[64] = "";
      if (r.rounds.size() > 1) {
        double lo = r.rounds[0].p50_us, hi = lo;
        for (const RoundFigures& x : r.rounds) lo = std::min(lo, x.p50_us), hi = std::max(hi, x.p50_us);
        std::snprintf(b, sizeof(b), " %6s-%-6s", Micros(lo).c_str(), Micros(hi).c_str());
      } else {
        std::snprintf(b, sizeof(b), " %13s", "-");
      }
      spread = b;
    }
    std::string floor;
    if (baseline && r.floor_us) {
      char b[64];
      std::snprintf(b, sizeof(b), " %11s %9.2fx%s", Micros(*r.floor_us).c_str(), f.p50_us / *r.floor_us,
                    r.floor_suspect ? " !" : "");
      floor = b;
      if (r.floor_suspect) notes.push_back("! " + r.op + " " + SizeText(r.size) + ": " + r.floor_note);
    }
    std::snprintf(line, sizeof(line), "%-7s %7s %4u %9llu %6llu %9s %9s %9s %9s %9s %11.0f %9.1f%s%s\n", r.op.c_str(),
                  SizeText(r.size).c_str(), r.qd, static_cast<unsigned long long>(r.load.ok),
                  static_cast<unsigned long long>(r.load.errors), Micros(f.p50_us).c_str(), Micros(f.p90_us).c_str(),
                  Micros(f.p99_us).c_str(), Micros(f.p999_us).c_str(), Micros(Us(h.max())).c_str(), f.ops_per_s,
                  MibPerS(r, f.ops_per_s), spread.c_str(), floor.c_str());
    out += line;
    if (!r.first_error.empty()) out += "        first error: " + r.first_error + "\n";
  }
  for (const std::string& n : notes) out += n + "\n";
  out += FormatBreakdown(results);
  if (baseline) {
    std::snprintf(line, sizeof(line), "floors: UCX round trip p50 %.2f us", baseline->ucx_rtt_p50_us);
    out += line;
    for (const auto& [size, w] : baseline->storage_write_p50_us) {
      std::snprintf(line, sizeof(line), "; server storage %s write %.2f us, read %.2f us", SizeText(size).c_str(), w,
                    baseline->storage_read_p50_us.count(size) ? baseline->storage_read_p50_us.at(size) : 0.0);
      out += line;
    }
    if (baseline->log_append_p50_us > 0) {
      std::snprintf(line, sizeof(line), "; metadata log append %.2f us", baseline->log_append_p50_us);
      out += line;
    }
    out += "\n";
  }
  return out;
}

std::string ToJson(const Manifest& m, const std::vector<OpResult>& results, const std::optional<Baseline>& baseline) {
  using nlohmann::json;
  json manifest = json::object();
  for (const auto& [k, v] : m.fields) manifest[k] = v;
  json reactor = json::object();
  for (const auto& [k, v] : m.reactor) reactor[k] = v;
  manifest["reactor"] = reactor;
  manifest["servers"] = m.servers;
  manifest["qd"] = m.qd;
  manifest["rate"] = m.rate;
  manifest["chunk_size"] = m.chunk_size;
  json rs = json::array();
  for (const OpResult& r : results) {
    const Histogram& h = r.load.latency_ns;
    const RoundFigures f = Reported(r);
    json j = {{"op", r.op},
              {"size", r.size},
              {"qd", r.qd},
              {"count", r.load.ok},
              {"errors", r.load.errors},
              {"p50_us", f.p50_us},
              {"p90_us", f.p90_us},
              {"p99_us", f.p99_us},
              {"p999_us", f.p999_us},
              {"max_us", Us(h.max())},
              {"mean_us", h.mean() / 1000.0},
              {"ops_per_s", f.ops_per_s},
              {"mib_per_s", MibPerS(r, f.ops_per_s)},
              {"rounds", std::max<size_t>(1, r.rounds.size())}};
    if (r.floor_us) {
      j["floor_us"] = *r.floor_us;
      j["ratio"] = f.p50_us / *r.floor_us;
      j["floor_suspect"] = r.floor_suspect;
      if (r.floor_suspect) j["floor_note"] = r.floor_note;
    }
    if (r.rounds.size() > 1) {
      json per = json::array();
      auto range = [&](auto get, const char* lo, const char* hi) {
        double a = get(r.rounds[0]), b = a;
        for (const RoundFigures& x : r.rounds) a = std::min(a, get(x)), b = std::max(b, get(x));
        j[lo] = a;
        j[hi] = b;
      };
      range([](const RoundFigures& x) { return x.p50_us; }, "p50_min_us", "p50_max_us");
      range([](const RoundFigures& x) { return x.p99_us; }, "p99_min_us", "p99_max_us");
      for (const RoundFigures& x : r.rounds) {
        json o = {{"p50_us", x.p50_us}, {"p90_us", x.p90_us}, {"p99_us", x.p99_us}, {"ops_per_s", x.ops_per_s}};
        if (x.floor_us) {
          o["floor_us"] = *x.floor_us;
          o["ratio"] = x.p50_us / *x.floor_us;
        }
        per.push_back(o);
      }
      if (r.floor_us) {
        range([](const RoundFigures& x) { return x.floor_us.value_or(0); }, "floor_min_us", "floor_max_us");
        range([](const RoundFigures& x) { return x.floor_us ? x.p50_us / *x.floor_us : 0; }, "ratio_min", "ratio_max");
      }
      j["round_figures"] = per;
    }
    const Breakdown* at50 = BreakdownAt(r, 0.5);
    const Breakdown* at99 = BreakdownAt(r, 0.99);
    if (at50 != nullptr && at50->calls() > 0 && at99 != nullptr) {
      const BreakdownFigures b50 = at50->Figures();
      const BreakdownFigures b99 = at99->Figures();
      const json bd = BreakdownJson(b50, b99);
      j["breakdown"] = bd;
    }
    if (r.rate > 0) {
      j["rate"] = r.rate;
      j["late_starts"] = r.load.late_starts;
    }
    if (!r.first_error.empty()) j["first_error"] = r.first_error;
    rs.push_back(j);
  }
  json root = {{"schema", kResultSchema}, {"manifest", manifest}, {"results", rs}};
  if (baseline) {
    json b = {{"ucx_rtt_p50_us", baseline->ucx_rtt_p50_us}, {"log_append_p50_us", baseline->log_append_p50_us}};
    // The scalar storage fields are the 4 KiB floors (or the first size measured).
    auto pick = [](const std::map<uint64_t, double>& by) {
      if (by.empty()) return 0.0;
      auto it = by.find(4096);
      return it != by.end() ? it->second : by.begin()->second;
    };
    b["storage_write_p50_us"] = pick(baseline->storage_write_p50_us);
    b["storage_read_p50_us"] = pick(baseline->storage_read_p50_us);
    json by = json::object();
    for (const auto& [size, w] : baseline->storage_write_p50_us) {
      by[std::to_string(size)] = {{"write_p50_us", w}, {"read_p50_us", baseline->storage_read_p50_us.count(size) ? baseline->storage_read_p50_us.at(size) : 0.0}};
    }
    b["storage_by_size"] = by;
    json servers = json::array();
    for (const ServerFloors& f : baseline->servers) {
      json sb = json::object();
      for (const auto& [size, w] : f.write_p50_us) {
        sb[std::to_string(size)] = {{"write_p50_us", w},
                                    {"read_p50_us", f.read_p50_us.count(size) ? f.read_p50_us.at(size) : 0.0}};
      }
      servers.push_back({{"server", f.server}, {"log_append_p50_us", f.log_append_p50_us}, {"storage_by_size", sb}});
    }
    b["servers"] = servers;
    root["baseline"] = b;
  }
  return root.dump(2) + "\n";
}

std::string ToCsv(const std::vector<OpResult>& results) {
  std::string out =
      "op,size,qd,count,errors,p50_us,p90_us,p99_us,p999_us,max_us,mean_us,ops_per_s,mib_per_s,floor_us,ratio,"
      "rounds,p50_min_us,p50_max_us,floor_suspect\n";
  char line[640];
  for (const OpResult& r : results) {
    const Histogram& h = r.load.latency_ns;
    const RoundFigures f = Reported(r);
    std::string floor = ",";
    if (r.floor_us) {
      char b[64];
      std::snprintf(b, sizeof(b), "%.3f,%.4f", *r.floor_us, f.p50_us / *r.floor_us);
      floor = b;
    }
    double lo = f.p50_us, hi = f.p50_us;
    for (const RoundFigures& x : r.rounds) lo = std::min(lo, x.p50_us), hi = std::max(hi, x.p50_us);
    std::snprintf(line, sizeof(line), "%s,%llu,%u,%llu,%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f,%.3f,%s,%zu,%.3f,%.3f,%d\n",
                  r.op.c_str(), static_cast<unsigned long long>(r.size), r.qd,
                  static_cast<unsigned long long>(r.load.ok), static_cast<unsigned long long>(r.load.errors), f.p50_us,
                  f.p90_us, f.p99_us, f.p999_us, Us(h.max()), h.mean() / 1000.0, f.ops_per_s, MibPerS(r, f.ops_per_s),
                  floor.c_str(), std::max<size_t>(1, r.rounds.size()), lo, hi, r.floor_suspect ? 1 : 0);
    out += line;
  }
  return out;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// /proc/self/status parsing; the boot id.
#include "service/proc_stats.h"

#include <dirent.h>
#include <sys/resource.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace benchfs {

ProcStats ReadProcStats() {
  ProcStats s;
  if (FILE* f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    while (std::fgets(line, sizeof(line), f) != nullptr) {
      unsigned long long v = 0;
      if (std::sscanf(line, "Threads: %llu", &v) == 1) s.threads = static_cast<uint32_t>(v);
      else if (std::sscanf(line, "VmRSS: %llu kB", &v) == 1) s.rss_bytes = v * 1024;
      else if (std::sscanf(line, "VmSize: %llu kB", &v) == 1) s.vms_bytes = v * 1024;
    }
    std::fclose(f);
  }
  // io_uring's kernel threads show up as tasks named iou-wrk-<pid> / iou-sqp-<pid>.
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      char path[300];
      std::snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
      if (FILE* f = std::fopen(path, "re")) {
        char comm[32] = {};
        if (std::fgets(comm, sizeof(comm), f) != nullptr && std::strncmp(comm, "iou-", 4) == 0) ++s.io_workers;
        std::fclose(f);
      }
    }
    closedir(d);
  }
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    s.cpu_user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    s.cpu_system_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  }
  return s;
}

uint64_t BootIdPrefix() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string text;
  std::getline(in, text);
  std::string hex;
  for (char ch : text) {
    if (std::isxdigit(static_cast<unsigned char>(ch))) hex += ch;
    if (hex.size() == 16) break;
  }
  return hex.size() == 16 ? std::stoull(hex, nullptr, 16) : 0;
}

}  // namespace benchfs

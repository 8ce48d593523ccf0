// SPDX-License-Identifier: BSD-3-Clause
// getrusage and /proc readers.
#include "sweep/cpu_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace benchfs {
namespace {

double Seconds(const rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

double ThreadCpuSeconds() {
  rusage ru{};
  return getrusage(RUSAGE_THREAD, &ru) == 0 ? Seconds(ru) : 0.0;
}

double ProcessCpuSeconds() {
  rusage ru{};
  return getrusage(RUSAGE_SELF, &ru) == 0 ? Seconds(ru) : 0.0;
}

double PidCpuSeconds(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return -1;
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // Fields after the command name (which may hold spaces) start past the last ')'.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return -1;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  // state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
  const long tck = sysconf(_SC_CLK_TCK);
  return tck > 0 ? static_cast<double>(utime + stime) / static_cast<double>(tck) : -1;
}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// io_uring unavailable: a child process installs a seccomp filter that makes
// io_uring_setup fail with ENOSYS or EPERM, and checks that Executor::Create
// reports the cause in words instead of crashing.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "runtime/executor.h"
#include "tests/support/child_process.h"

namespace benchfs {
namespace {

bool DenyIoUringSetup(int err) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (static_cast<unsigned>(err) & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

// Runs Create() in a child under the filter; returns the child's verdict:
// 0 = message as expected, 1 = wrong message, 2 = Create succeeded, 3 = no filter.
int CheckInChild(int err, const std::string& must_contain) {
  return testing::RunInChild([&] {
    if (!DenyIoUringSetup(err)) return 3;
    auto r = Executor::Create(ExecutorConfig{});
    if (r.ok()) return 2;
    const std::string msg = r.status().message();
    return msg.find(must_contain) != std::string::npos && msg.find("io_uring") != std::string::npos ? 0 : 1;
  });
}

TEST(SetupError, EnosysSaysKernelLacksIoUring) {
  int v = CheckInChild(ENOSYS, "Linux 5.11");
  if (v == 3) GTEST_SKIP() << "seccomp filters cannot be installed here (prctl refused)";
  EXPECT_EQ(v, 0);
}

TEST(SetupError, EpermSaysIoUringIsNotPermitted) {
  int v = CheckInChild(EPERM, "not permitted");
  if (v == 3) GTEST_SKIP() << "seccomp filters cannot be installed here (prctl refused)";
  EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace benchfs

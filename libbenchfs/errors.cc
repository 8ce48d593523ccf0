// SPDX-License-Identifier: BSD-3-Clause
// Status -> errno and the per-thread last error message.
#include "libbenchfs/errors.h"

#include <cerrno>

namespace benchfs::capi {
namespace {

// The C API promises a message per calling thread: nothing else is shared.
thread_local std::string last_error;

}  // namespace

int Fail(int err, const std::string& message) {
  last_error = message;
  return -err;
}

int Fail(const Status& s, const std::string& what) {
  const int err = ErrnoOf(s);
  return Fail(err == 0 ? EIO : err, what.empty() ? s.ToString() : what + ": " + s.ToString());
}

const char* LastError() { return last_error.c_str(); }

}  // namespace benchfs::capi

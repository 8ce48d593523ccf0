// Status -> errno and the per-thread last error message.
#include "libbenchfs/errors.h"

#include <cerrno>

namespace benchfs::capi {
namespace {

// The C API promises a message per calling thread: nothing else is shared.
thread_local std::string last_error;

}  // namespace

int ErrnoOf(const Status& s) {
  if (s.sys_errno() > 0) return s.sys_errno();
  switch (s.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return EINVAL;
    case StatusCode::kNotFound:
      return ENOENT;
    case StatusCode::kAlreadyExists:
      return EEXIST;
    case StatusCode::kTimedOut:
      return ETIMEDOUT;
    case StatusCode::kCancelled:
      return ECANCELED;
    case StatusCode::kBusy:
      return EBUSY;
    case StatusCode::kUnavailable:
      return EHOSTUNREACH;
    case StatusCode::kResourceExhausted:
      return ENOSPC;
    case StatusCode::kPermissionDenied:
      return EACCES;
    case StatusCode::kProtocolError:
      return EPROTO;
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
      break;
  }
  return EIO;
}

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

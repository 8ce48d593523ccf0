// SPDX-License-Identifier: BSD-3-Clause
// Status helpers: code names and errno mapping.
#include "runtime/status.h"

#include <cerrno>
#include <cstring>

namespace benchfs {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case StatusCode::kNotFound: return "NOT_FOUND";
    case StatusCode::kAlreadyExists: return "ALREADY_EXISTS";
    case StatusCode::kTimedOut: return "TIMED_OUT";
    case StatusCode::kCancelled: return "CANCELLED";
    case StatusCode::kBusy: return "BUSY";
    case StatusCode::kUnavailable: return "UNAVAILABLE";
    case StatusCode::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case StatusCode::kPermissionDenied: return "PERMISSION_DENIED";
    case StatusCode::kIoError: return "IO_ERROR";
    case StatusCode::kCorruption: return "CORRUPTION";
    case StatusCode::kProtocolError: return "PROTOCOL_ERROR";
    case StatusCode::kInternal: return "INTERNAL";
  }
  return "UNKNOWN";
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? std::string(name) : "errno " + std::to_string(err);
}

static StatusCode CodeForErrno(int err) {
  switch (err) {
    case ENOENT: return StatusCode::kNotFound;
    case EEXIST: return StatusCode::kAlreadyExists;
    case EINVAL: return StatusCode::kInvalidArgument;
    case ETIME:
    case ETIMEDOUT: return StatusCode::kTimedOut;
    case ECANCELED: return StatusCode::kCancelled;
    case EAGAIN:
    case EBUSY: return StatusCode::kBusy;
    case EPERM:
    case EACCES: return StatusCode::kPermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM: return StatusCode::kResourceExhausted;
    case ENOSYS:
    case EOPNOTSUPP:
    case ECONNREFUSED:
    case ECONNRESET:
    case ENOTCONN: return StatusCode::kUnavailable;
    default: return StatusCode::kIoError;
  }
}

Status Status::FromErrno(int err, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  msg += " (" + ErrnoName(err) + ")";
  return Status(CodeForErrno(err), std::move(msg), err);
}

int ErrnoOf(const Status& s) {
  if (s.ok()) return 0;
  if (s.sys_errno() > 0) return s.sys_errno();
  switch (s.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument: return EINVAL;
    case StatusCode::kNotFound: return ENOENT;
    case StatusCode::kAlreadyExists: return EEXIST;
    case StatusCode::kTimedOut: return ETIMEDOUT;
    case StatusCode::kCancelled: return ECANCELED;
    case StatusCode::kBusy: return EBUSY;
    case StatusCode::kUnavailable: return EHOSTUNREACH;
    case StatusCode::kResourceExhausted: return ENOSPC;
    case StatusCode::kPermissionDenied: return EACCES;
    case StatusCode::kProtocolError: return EPROTO;
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
    case StatusCode::kInternal: return EIO;
  }
  return EIO;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace benchfs

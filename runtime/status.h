// SPDX-License-Identifier: BSD-3-Clause
// Status and Result<T>: how errors cross library boundaries in BenchFS.
//
// A Status is a code plus a human-readable message that names what went wrong
// and, where it helps, what to do about it. Result<T> holds either a value or a
// non-OK Status. Exceptions are used only at the edges (CLI, config files).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace benchfs {

enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kTimedOut,
  kCancelled,
  kBusy,
  kUnavailable,
  kResourceExhausted,
  kPermissionDenied,
  kIoError,
  kCorruption,
  kProtocolError,
  kInternal,
};

// Short stable name of a code, e.g. "TIMED_OUT".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, int sys_errno = 0)
      : code_(code), sys_errno_(sys_errno), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  // One factory per error code: Status::NotFound("chunk 3 of /a").
  static Status InvalidArgument(std::string m, int e = 0) {
    return {StatusCode::kInvalidArgument, std::move(m), e};
  }
  static Status NotFound(std::string m, int e = 0) {
    return {StatusCode::kNotFound, std::move(m), e};
  }
  static Status AlreadyExists(std::string m, int e = 0) {
    return {StatusCode::kAlreadyExists, std::move(m), e};
  }
  static Status TimedOut(std::string m, int e = 0) {
    return {StatusCode::kTimedOut, std::move(m), e};
  }
  static Status Cancelled(std::string m, int e = 0) {
    return {StatusCode::kCancelled, std::move(m), e};
  }
  static Status Busy(std::string m, int e = 0) {
    return {StatusCode::kBusy, std::move(m), e};
  }
  static Status Unavailable(std::string m, int e = 0) {
    return {StatusCode::kUnavailable, std::move(m), e};
  }
  static Status ResourceExhausted(std::string m, int e = 0) {
    return {StatusCode::kResourceExhausted, std::move(m), e};
  }
  static Status PermissionDenied(std::string m, int e = 0) {
    return {StatusCode::kPermissionDenied, std::move(m), e};
  }
  static Status IoError(std::string m, int e = 0) {
    return {StatusCode::kIoError, std::move(m), e};
  }
  static Status Corruption(std::string m, int e = 0) {
    return {StatusCode::kCorruption, std::move(m), e};
  }
  static Status ProtocolError(std::string m, int e = 0) {
    return {StatusCode::kProtocolError, std::move(m), e};
  }
  static Status Internal(std::string m, int e = 0) {
    return {StatusCode::kInternal, std::move(m), e};
  }
  // Maps an errno value to a code; the message is "<context>: <strerror> (<ENAME>)".
  static Status FromErrno(int err, std::string_view context);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  int sys_errno() const { return sys_errno_; }
  const std::string& message() const { return message_; }
  // "OK" or "<CODE>: <message>".
  std::string ToString() const;
  // Drops the status on purpose, where an error cannot change what happens
  // next (say why at the call).
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  int sys_errno_ = 0;
  std::string message_;
};

// Symbolic name of an errno value ("ENOSPC"), or "errno <n>" when unknown.
std::string ErrnoName(int err);

// The positive POSIX errno a caller of a file-system API should see for `s`:
// its carried errno when it has one, else the code's usual errno (NOT_FOUND
// ENOENT, ALREADY_EXISTS EEXIST, INVALID_ARGUMENT EINVAL, TIMED_OUT
// ETIMEDOUT, UNAVAILABLE EHOSTUNREACH, RESOURCE_EXHAUSTED ENOSPC, BUSY EBUSY,
// CANCELLED ECANCELED, PERMISSION_DENIED EACCES, PROTOCOL_ERROR EPROTO,
// IO_ERROR / CORRUPTION / INTERNAL EIO). 0 for OK.
int ErrnoOf(const Status& s);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; OK when the result holds a value.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace benchfs

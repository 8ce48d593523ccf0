// SPDX-License-Identifier: BSD-3-Clause
// ErrnoOf: every status maps to a positive errno, the carried one first.
#include <cerrno>

#include <gtest/gtest.h>

#include "runtime/status.h"

namespace benchfs {
namespace {

TEST(ErrnoOf, OkIsZero) { EXPECT_EQ(ErrnoOf(Status()), 0); }

TEST(ErrnoOf, CarriedErrnoWins) {
  EXPECT_EQ(ErrnoOf(Status::InvalidArgument("x", ENOTDIR)), ENOTDIR);
  EXPECT_EQ(ErrnoOf(Status::InvalidArgument("x", EISDIR)), EISDIR);
  EXPECT_EQ(ErrnoOf(Status::AlreadyExists("x", ENOTEMPTY)), ENOTEMPTY);
  EXPECT_EQ(ErrnoOf(Status::InvalidArgument("x", ENAMETOOLONG)), ENAMETOOLONG);
  EXPECT_EQ(ErrnoOf(Status::FromErrno(ENOSPC, "write")), ENOSPC);
}

TEST(ErrnoOf, EveryCodeHasAnErrno) {
  const std::pair<StatusCode, int> expected[] = {
      {StatusCode::kInvalidArgument, EINVAL}, {StatusCode::kNotFound, ENOENT},
      {StatusCode::kAlreadyExists, EEXIST},   {StatusCode::kTimedOut, ETIMEDOUT},
      {StatusCode::kCancelled, ECANCELED},    {StatusCode::kBusy, EBUSY},
      {StatusCode::kUnavailable, EHOSTUNREACH}, {StatusCode::kResourceExhausted, ENOSPC},
      {StatusCode::kPermissionDenied, EACCES}, {StatusCode::kIoError, EIO},
      {StatusCode::kCorruption, EIO},         {StatusCode::kProtocolError, EPROTO},
      {StatusCode::kInternal, EIO},
  };
  for (const auto& [code, err] : expected) {
    EXPECT_EQ(ErrnoOf(Status(code, "m")), err) << StatusCodeName(code);
  }
}

}  // namespace
}  // namespace benchfs

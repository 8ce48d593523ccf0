// SPDX-License-Identifier: BSD-3-Clause
// Errors at the C boundary: a Status becomes a negative errno, and the
// calling thread keeps the message of its last failure for
// benchfs_last_error().
#pragma once

#include <string>

#include "runtime/status.h"

namespace benchfs::capi {

// Status -> errno is benchfs::ErrnoOf (runtime/status.h).

// Records `message` as the calling thread's last error and returns -err.
int Fail(int err, const std::string& message);
// Records the status (prefixed by `what`) and returns -ErrnoOf(s).
int Fail(const Status& s, const std::string& what);

// The calling thread's last error message ("" if none).
const char* LastError();

}  // namespace benchfs::capi

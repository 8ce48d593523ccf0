// SPDX-License-Identifier: BSD-3-Clause
// Request and Response: what a server handler receives and returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rpc/trace.h"
#include "rpc/wire.h"
#include "runtime/io_buffer.h"
#include "runtime/status.h"

namespace benchfs {

struct Request {
  Opcode opcode = Opcode::kPing;
  uint64_t correlation_id = 0;
  uint64_t connection_id = 0;        // stable id of the client connection
  std::vector<std::byte> header;     // operation header
  IoBuffer payload;                  // payload_len bytes are valid
  size_t payload_len = 0;
  // Set when the client asked for a trace (rpc/trace.h): the handler adds
  // its storage and metadata-log time here. Null otherwise.
  RequestTiming* timing = nullptr;
};

struct Response {
  Status status;                     // not OK: the message travels back as the error
  std::vector<std::byte> header;     // operation header of a successful reply
  IoBuffer payload;                  // payload_len bytes are sent
  size_t payload_len = 0;

  static Response Error(Status s) {
    Response r;
    r.status = std::move(s);
    return r;
  }
};

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The raw echo's AM handler and reply-length rule.
#include "rpc/raw_ping.h"

#include <algorithm>
#include <cstring>

#include "rpc/codec.h"

namespace benchfs {
namespace {

ucs_status_t OnEcho(void* arg, const void* header, size_t header_length, void* data, size_t length,
                    const ucp_am_recv_param_t* param) {
  auto* ucx = static_cast<UcxReactor*>(arg);
  if (!(param->recv_attr & UCP_AM_RECV_ATTR_FIELD_REPLY_EP)) return UCS_OK;
  const size_t reply_len = RawEchoReplyLength(header, header_length, length);
  if (reply_len > (1u << 24)) return UCS_OK;
  UcxOp* op = ucx->NewOp();
  const bool rndv = (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV) != 0;
  const std::byte* payload = static_cast<const std::byte*>(data);
  if (rndv || reply_len > length) {
    // Nothing to echo in place: a reply of its own (its contents do not matter).
    op->buffer = IoBuffer::AllocateUninitialized(reply_len, 64);
    payload = op->buffer.data();
  }
  ucs_status_t error;
  return ucx->SendAmFromCallback(param->reply_ep, kAmRawEchoReply, op, payload, reply_len, 0, param,
                                 rndv ? nullptr : data, rndv ? 0 : length, &error);
}

}  // namespace

size_t RawEchoReplyLength(const void* header, size_t header_length, size_t length) {
  // A 4-byte header asks for a reply of that many bytes; otherwise the
  // payload is echoed.
  if (header_length == 4) return GetLE<uint32_t>(static_cast<const std::byte*>(header));
  return length;
}

Status InstallRawEcho(UcxReactor& ucx) { return ucx.SetAmHandler(kAmRawEcho, &OnEcho, &ucx); }

}  // namespace benchfs

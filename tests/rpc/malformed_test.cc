// SPDX-License-Identifier: BSD-3-Clause
// Malformed input: a raw UCX peer sends broken messages. Each is counted,
// answered with an error where the sender can be identified, and the server
// keeps serving other clients.
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "rpc/bootstrap.h"
#include "tests/rpc/rpc_test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientEnv;
using testing::ServerThread;

// A bare UCX endpoint that sends arbitrary bytes as requests and records the
// replies it gets back.
class RawPeer {
 public:
  explicit RawPeer(uint16_t port) {
    auto e = Executor::Create({});
    ex_ = std::move(e.value());
    ucx_ = ex_->EnableUcx({}).value();
    auto on_reply = [](void* arg, const void* header, size_t len, void*, size_t,
                       const ucp_am_recv_param_t*) -> ucs_status_t {
      auto* self = static_cast<RawPeer*>(arg);
      self->replies_.push_back(DecodeHeader({static_cast<const std::byte*>(header), len}, 0, {}));
      self->messages_.emplace_back(static_cast<const char*>(header) + kWireHeaderSize,
                                   len - kWireHeaderSize);
      return UCS_OK;
    };
    EXPECT_TRUE(ucx_->SetAmHandler(kAmReply, on_reply, this).ok());
    // The server's worker address from its bootstrap listener, as clients get it.
    auto addr = ResolveAddress("127.0.0.1", port).value();
    address_ = FetchWorkerAddressBlocking(addr, "", Now() + 10s).value();
    auto ep = ucx_->CreateEndpoint(address_, true, [](void*, ucp_ep_h, ucs_status_t) {}, nullptr, "raw peer");
    EXPECT_TRUE(ep.ok()) << ep.status().ToString();
    if (ep.ok()) ep_ = *ep;
  }
  ~RawPeer() {
    ucp_request_param_t p{};
    p.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
    p.flags = UCP_EP_CLOSE_FLAG_FORCE;
    ucs_status_ptr_t r = ucp_ep_close_nbx(ep_, &p);
    while (r != nullptr && !UCS_PTR_IS_ERR(r) && ucp_request_check_status(r) == UCS_INPROGRESS) {
      ucp_worker_progress(ucx_->worker());
    }
    if (r != nullptr && !UCS_PTR_IS_ERR(r)) ucp_request_free(r);
  }

  // Sends header bytes plus `payload` bytes of data and waits for completion.
  void Send(std::vector<std::byte> header, size_t payload) {
    std::vector<std::byte> data(payload, std::byte{1});
    ex_->Run([&] {
      UcxOp* op = ucx_->NewOp();
      op->header = std::move(header);
      if (payload > 0) {
        op->buffer = IoBuffer::Allocate(payload);
        std::memcpy(op->buffer.data(), data.data(), payload);
      }
      EXPECT_TRUE(
          ucx_->SendAm(ep_, kAmRequest, op, payload, UCP_AM_SEND_FLAG_REPLY, WaitOptions::For(5s), "raw send").ok());
    });
  }
  // Progresses until `n` replies have arrived or the time runs out.
  void WaitReplies(size_t n) {
    ex_->Run([&] {
      TimePoint end = Now() + 5s;
      while (replies_.size() < n && Now() < end) ex_->SleepFor(1ms);
    });
  }
  const std::vector<DecodedHeader>& replies() const { return replies_; }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::unique_ptr<Executor> ex_;
  UcxReactor* ucx_ = nullptr;
  ucp_ep_h ep_ = nullptr;
  std::vector<std::byte> address_;
  std::vector<DecodedHeader> replies_;
  std::vector<std::string> messages_;
};

std::vector<std::byte> Header(uint8_t op, uint64_t id, uint32_t hlen, uint32_t plen,
                              size_t actual_hlen) {
  WireHeader h;
  h.opcode = op;
  h.correlation_id = id;
  h.header_len = hlen;
  h.payload_len = plen;
  std::vector<std::byte> v(kWireHeaderSize + actual_hlen);
  EncodeHeader(h, v.data());
  return v;
}

TEST(Malformed, EveryKindIsCountedAnsweredAndSurvived) {
  ServerThread server;
  ASSERT_EQ(server.error(), "");
  RawPeer peer(server.port());
  const uint8_t ping = static_cast<uint8_t>(Opcode::kPing);

  auto truncated = Header(ping, 1, 0, 0, 0);
  truncated.resize(12);
  peer.Send(truncated, 0);  // unidentifiable: counted, no reply possible
  auto bad_magic = Header(ping, 2, 0, 0, 0);
  bad_magic[1] = std::byte{0};
  peer.Send(bad_magic, 0);
  auto bad_version = Header(ping, 3, 0, 0, 0);
  bad_version[4] = std::byte{7};
  peer.Send(bad_version, 0);
  peer.Send(Header(ping, 4, 1u << 30, 0, 0), 0);         // oversize header length
  peer.Send(Header(ping, 5, 0, 0xfffffff0u, 0), 0);      // oversize payload length
  peer.Send(Header(99, 6, 0, 0, 0), 0);                  // unknown opcode
  peer.Send(Header(ping, 7, 0, 100, 0), 50);             // payload shorter than declared
  peer.Send(Header(ping, 8, 8, 0, 3), 0);                // op header shorter than declared

  peer.WaitReplies(5);
  ASSERT_EQ(peer.replies().size(), 5u);
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < peer.replies().size(); ++i) {
    const DecodedHeader& d = peer.replies()[i];
    EXPECT_TRUE(d.identified);
    EXPECT_EQ(d.header.status, StatusCode::kProtocolError) << peer.messages()[i];
    ids.push_back(d.header.correlation_id);
  }
  EXPECT_EQ(ids, (std::vector<uint64_t>{4, 5, 6, 7, 8}));
  EXPECT_NE(peer.messages()[2].find("unknown opcode 99"), std::string::npos) << peer.messages()[2];
  EXPECT_NE(peer.messages()[3].find("declared payload length 100 but 50"), std::string::npos);

  ServerStats st = server.Stats();
  EXPECT_EQ(st.malformed, 8u);
  EXPECT_EQ(st.inflight, 0u);

  // A well-behaved client is still served.
  ClientEnv env;
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    EXPECT_TRUE(env.client->Ping(*conn).ok());
  });
}

}  // namespace
}  // namespace benchfs

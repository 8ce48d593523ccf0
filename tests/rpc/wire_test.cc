// SPDX-License-Identifier: BSD-3-Clause
// The wire header: round trip, and every validation failure with its message
// and whether the sender can still be answered.
#include <vector>

#include <gtest/gtest.h>

#include "rpc/codec.h"
#include "rpc/net_address.h"
#include "rpc/registry.h"
#include "rpc/rpc_config.h"
#include "rpc/server.h"
#include "rpc/wire.h"

namespace benchfs {
namespace {

std::vector<std::byte> Message(const WireHeader& h, size_t op_header) {
  std::vector<std::byte> v(kWireHeaderSize + op_header, std::byte{0x5a});
  EncodeHeader(h, v.data());
  return v;
}

WireHeader Sample() {
  WireHeader h;
  h.opcode = static_cast<uint8_t>(Opcode::kWriteChunk);
  h.flags = kWireFlagReply;
  h.correlation_id = 0x0123456789abcdefull;
  h.status = StatusCode::kBusy;
  h.header_len = 10;
  h.payload_len = 4096;
  return h;
}

TEST(Wire, RoundTrip) {
  auto m = Message(Sample(), 10);
  DecodedHeader d = DecodeHeader(m, 4096, WireLimits{});
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.identified);
  EXPECT_EQ(d.header.opcode, Sample().opcode);
  EXPECT_TRUE(d.header.is_reply());
  EXPECT_EQ(d.header.correlation_id, 0x0123456789abcdefull);
  EXPECT_EQ(d.header.status, StatusCode::kBusy);
  EXPECT_EQ(d.header.header_len, 10u);
  EXPECT_EQ(d.header.payload_len, 4096u);
}

TEST(Wire, LittleEndianOnTheWire) {
  auto m = Message(Sample(), 10);
  EXPECT_EQ(m[0], std::byte{0x42});  // 'B'
  EXPECT_EQ(m[3], std::byte{0x31});  // '1'
  EXPECT_EQ(m[8], std::byte{0xef});  // lowest byte of the correlation id first
}

void ExpectBad(std::span<const std::byte> m, size_t payload, bool identified, const char* text) {
  DecodedHeader d = DecodeHeader(m, payload, WireLimits{});
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.code(), StatusCode::kProtocolError);
  EXPECT_EQ(d.identified, identified) << d.status.message();
  EXPECT_NE(d.status.message().find(text), std::string::npos) << d.status.message();
}

TEST(Wire, TruncatedHeader) {
  auto m = Message(Sample(), 10);
  ExpectBad(std::span(m).first(20), 4096, false, "truncated header: 20 bytes");
}

TEST(Wire, BadMagic) {
  auto m = Message(Sample(), 10);
  m[0] = std::byte{0};
  ExpectBad(m, 4096, false, "bad magic");
}

TEST(Wire, WrongVersion) {
  auto m = Message(Sample(), 10);
  m[4] = std::byte{9};
  ExpectBad(m, 4096, false, "unsupported wire version 9");
}

TEST(Wire, OversizeDeclaredLengths) {
  WireHeader h = Sample();
  h.header_len = 1 << 20;
  auto m = Message(h, 0);
  ExpectBad(m, 4096, true, "declared header length 1048576 exceeds the limit 6144");
  h = Sample();
  h.payload_len = 0xffffffffu;
  m = Message(h, 10);
  ExpectBad(m, 4096, true, "declared payload length 4294967295 exceeds the limit");
}

TEST(Wire, LengthMismatches) {
  auto m = Message(Sample(), 4);  // declares 10 header bytes, carries 4
  ExpectBad(m, 4096, true, "declared header length 10 but 4 bytes arrived");
  m = Message(Sample(), 10);
  ExpectBad(m, 100, true, "declared payload length 4096 but 100 bytes arrived");
}

// A failed reply carries its errno; a request or a successful reply may not.
TEST(Wire, ErrnoTravelsOnlyInFailedReplies) {
  WireHeader h = Sample();
  h.sys_errno = 39;  // ENOTEMPTY
  auto m = Message(h, 10);
  DecodedHeader d = DecodeHeader(m, 4096, WireLimits{});
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.header.sys_errno, 39);
  h.status = StatusCode::kOk;
  ExpectBad(Message(h, 10), 4096, true, "errno in a request or a successful reply");
  h.status = StatusCode::kBusy;
  h.flags = 0;
  ExpectBad(Message(h, 10), 4096, true, "errno in a request or a successful reply");
  EXPECT_EQ(WireErrno(Status::NotFound("x", 2)), 2);
  EXPECT_EQ(WireErrno(Status::NotFound("x", 70000)), 0);
  EXPECT_EQ(WireErrno(Status()), 0);
}

TEST(Wire, ReservedAndStatusFields) {
  auto m = Message(Sample(), 10);
  m[28] = std::byte{1};
  ExpectBad(m, 4096, true, "reserved");
  m = Message(Sample(), 10);
  m[16] = std::byte{200};
  ExpectBad(m, 4096, true, "unknown status code 200");
}

TEST(Codec, ReaderNeverReadsPastTheEnd) {
  std::vector<std::byte> buf;
  WireWriter w(buf);
  w.Put<uint32_t>(7);
  w.PutString("hello");
  WireReader r(buf);
  uint32_t v;
  std::string s;
  EXPECT_TRUE(r.Get(&v));
  EXPECT_TRUE(r.GetString(&s));
  EXPECT_EQ(v, 7u);
  EXPECT_EQ(s, "hello");
  uint64_t more;
  EXPECT_FALSE(r.Get(&more));
  EXPECT_FALSE(r.ok());
  std::vector<std::byte> lying = {std::byte{0xff}, std::byte{0x00}, std::byte{'a'}};
  WireReader r2(lying);
  EXPECT_FALSE(r2.GetString(&s));  // claims 255 bytes, has 1
}

TEST(Codec, CountersRoundTripAndTruncation) {
  std::vector<std::pair<std::string, uint64_t>> kv = {{"received", 10}, {"op.ping", 3}};
  auto bytes = EncodeCounters(kv);
  auto back = DecodeCounters(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, kv);
  bytes.pop_back();
  EXPECT_FALSE(DecodeCounters(bytes).ok());
}

TEST(RpcConfig, ValidationNamesTheKnob) {
  RpcServerConfig s;
  s.max_inflight = 0;
  EXPECT_NE(s.Validate().message().find("max_inflight = 0"), std::string::npos);
  s = {};
  s.max_inflight_per_conn = 1000;
  EXPECT_NE(s.Validate().message().find("max_inflight_per_conn"), std::string::npos);
  RpcClientConfig c;
  c.busy_backoff_max = std::chrono::microseconds(1);
  EXPECT_NE(c.Validate().message().find("busy_backoff_max"), std::string::npos);
  EXPECT_EQ(*ParseDataProtocol("rndv"), DataProtocol::kRndv);
  EXPECT_NE(ParseDataProtocol("fast").status().message().find("auto, eager or rndv"),
            std::string::npos);
}

TEST(NetAddress, SplitHostPort) {
  auto a = SplitHostPort("10.0.0.1:7000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "10.0.0.1");
  EXPECT_EQ(a->second, 7000);
  auto b = SplitHostPort("[::1]:80");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->first, "::1");
  EXPECT_FALSE(SplitHostPort("host").ok());
  EXPECT_NE(SplitHostPort("host:99999").status().message().find("0..65535"), std::string::npos);
  EXPECT_FALSE(ResolveAddress("no-such-host.invalid", 1).ok());
}

TEST(Registry, NamesAreValidated) {
  EXPECT_TRUE(ValidateRegistryName("server-0.node_a").ok());
  EXPECT_FALSE(ValidateRegistryName("../etc").ok());
  EXPECT_FALSE(ValidateRegistryName("").ok());
  EXPECT_FALSE(ValidateRegistryName("a/b").ok());
}

}  // namespace
}  // namespace benchfs

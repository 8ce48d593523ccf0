// SPDX-License-Identifier: BSD-3-Clause
// The HELLO exchange against a server with a token: a connection is served
// only after a HELLO carrying the token; anything else first - or a wrong
// token - is answered PERMISSION_DENIED and counted, and a wrong token
// refuses the connection for good. A client with no token at all is refused
// earlier, by the bootstrap listener. A server without a token accepts HELLO.
#include <gtest/gtest.h>

#include "rpc/hello.h"
#include "tests/rpc/rpc_test_util.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;
using testing::ClientEnv;
using testing::ServerOptions;
using testing::ServerThread;

ServerOptions WithToken(const std::string& token) {
  ServerOptions so;
  so.rpc.token = token;
  return so;
}

TEST(HelloCall, ClientWithoutTheTokenIsDeniedAndCounted) {
  ServerThread server(WithToken("s3cret"));
  ASSERT_EQ(server.error(), "");
  ClientEnv env;  // no token: refused by the bootstrap listener already
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_FALSE(conn.ok());
    EXPECT_EQ(conn.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(conn.status().message().find("requires a token"), std::string::npos) << conn.status().message();
    EXPECT_NE(conn.status().message().find("refused the connection"), std::string::npos);
  });
  ServerStats st = server.Stats();
  EXPECT_EQ(server.OnServer([](RpcServer& s) { return s.bootstrap_stats()->denied; }), 1u);
  EXPECT_EQ(st.per_opcode[static_cast<size_t>(Opcode::kHello)], 0u) << "a denied client must not reach UCX";
}

TEST(HelloCall, RightTokenOpensTheConnectionAndAWrongOneClosesItForGood) {
  ServerThread server(WithToken("s3cret"));
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.token = "s3cret";
  ClientEnv env(cc);
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    EXPECT_TRUE(env.client->Ping(*conn).ok());
    Status wrong = env.client->Hello(*conn, "guess");
    EXPECT_EQ(wrong.code(), StatusCode::kPermissionDenied) << wrong.ToString();
    EXPECT_NE(wrong.message().find("wrong token"), std::string::npos) << wrong.message();
    EXPECT_EQ(env.client->Ping(*conn).code(), StatusCode::kPermissionDenied);
    Status again = env.client->Hello(*conn, "s3cret");
    EXPECT_EQ(again.code(), StatusCode::kPermissionDenied) << "a refused connection stays refused";
    EXPECT_NE(again.message().find("reconnect"), std::string::npos) << again.message();
  });
  ServerStats st = server.Stats();
  EXPECT_EQ(st.denied, 3u);
  EXPECT_EQ(st.per_opcode[static_cast<size_t>(Opcode::kPing)], 1u);
}

TEST(HelloCall, WrongTokenAtConnectIsDenied) {
  ServerThread server(WithToken("s3cret"));
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.token = "s3cre7";
  ClientEnv env(cc);
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_FALSE(conn.ok());
    EXPECT_EQ(conn.status().code(), StatusCode::kPermissionDenied) << conn.status().ToString();
  });
  EXPECT_EQ(server.OnServer([](RpcServer& s) { return s.bootstrap_stats()->denied; }), 1u);
}

TEST(HelloCall, ServerWithoutATokenAcceptsAnyHello) {
  ServerThread server;
  ASSERT_EQ(server.error(), "");
  RpcClientConfig cc;
  cc.token = "anything";
  ClientEnv env(cc);
  env.ex->Run([&] {
    auto conn = env.client->Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    EXPECT_TRUE(env.client->Ping(*conn).ok());
  });
  ServerStats st = server.Stats();
  EXPECT_EQ(st.denied, 0u);
  EXPECT_EQ(st.per_opcode[static_cast<size_t>(Opcode::kHello)], 1u);
}

}  // namespace
}  // namespace benchfs

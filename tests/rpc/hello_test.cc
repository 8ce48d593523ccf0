// SPDX-License-Identifier: BSD-3-Clause
// The HELLO codec and the token file rules: a token file must be a regular
// file of this user, readable by this user only, holding 1..1024 bytes.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "rpc/hello.h"
#include "tests/support/temp_dir.h"

namespace benchfs {
namespace {

class TokenFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("token");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  std::string dir_;
};

TEST(Hello, RoundTripAndMalformedHeaders) {
  const std::vector<std::byte> address(77, std::byte{0x5a});
  auto bytes = EncodeHello({"s3cret", address});
  auto hello = DecodeHello(bytes);
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  EXPECT_EQ(hello->token, "s3cret");
  EXPECT_EQ(hello->address, address);
  EXPECT_EQ(DecodeHello(std::span(bytes).first(3)).status().code(), StatusCode::kProtocolError);
  bytes.push_back(std::byte{0});
  EXPECT_NE(DecodeHello(bytes).status().message().find("address bytes where 77 were declared"), std::string::npos)
      << DecodeHello(bytes).status().message();
  auto big = EncodeHello({std::string(kMaxTokenLength + 1, 'x'), address});
  EXPECT_NE(DecodeHello(big).status().message().find("longer than 1024"), std::string::npos);
  auto no_address = EncodeHello({"s3cret", {}});
  EXPECT_NE(DecodeHello(no_address).status().message().find("worker address of 0 bytes"), std::string::npos);
}

TEST(Hello, TokensEqual) {
  EXPECT_TRUE(TokensEqual("abc", "abc"));
  EXPECT_FALSE(TokensEqual("abc", "abd"));
  EXPECT_FALSE(TokensEqual("abc", "abcd"));
  EXPECT_FALSE(TokensEqual("", "a"));
}

TEST_F(TokenFile, OwnerOnlyFileIsRead) {
  auto t = LoadTokenFile(Write("t", "s3cret\n", 0600));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, "s3cret");
  auto r = LoadTokenFile(Write("r", "abc\r\n", 0400));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "abc");
}

TEST_F(TokenFile, ReadableByOthersIsRefusedWithTheFix) {
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    const std::string path = Write("t", "s3cret", mode);
    auto t = LoadTokenFile(path);
    ASSERT_FALSE(t.ok()) << std::oct << mode;
    EXPECT_EQ(t.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(t.status().message().find("chmod 600 " + path), std::string::npos) << t.status().message();
  }
}

TEST_F(TokenFile, SymlinkDirectoryEmptyMissingAndOversizeAreRefused) {
  const std::string real = Write("real", "s3cret", 0600);
  const std::string link = dir_ + "/link";
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  EXPECT_NE(LoadTokenFile(link).status().message().find("symbolic link"), std::string::npos);
  EXPECT_NE(LoadTokenFile(dir_).status().message().find("not a regular file"), std::string::npos);
  EXPECT_NE(LoadTokenFile(Write("empty", "\n", 0600)).status().message().find("is empty"), std::string::npos);
  EXPECT_EQ(LoadTokenFile(dir_ + "/missing").status().code(), StatusCode::kNotFound);
  auto big = LoadTokenFile(Write("big", std::string(2000, 'x'), 0600));
  EXPECT_NE(big.status().message().find("at most 1024"), std::string::npos) << big.status().message();
}

TEST_F(TokenFile, AnotherUsersFileIsRefused) {
  const std::string path = Write("t", "s3cret", 0600);
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user (chown)";
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto t = LoadTokenFile(path);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("owned by uid 65534"), std::string::npos) << t.status().message();
}

}  // namespace
}  // namespace benchfs

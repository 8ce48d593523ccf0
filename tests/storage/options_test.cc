// SPDX-License-Identifier: BSD-3-Clause
// Storage configuration: names parse and print, unknown names list the allowed
// values, out-of-range knobs name the knob; path validation; CRC-32C vectors.
#include <cerrno>
#include <gtest/gtest.h>

#include "storage/chunk_layout.h"
#include "storage/chunk_store_options.h"
#include "storage/crc32c.h"
#include "storage/durability.h"
#include "storage/file_id.h"
#include "storage/metadata_store_options.h"
#include "storage/path_name.h"

namespace benchfs {
namespace {

TEST(StorageOptions, DurabilityNamesRoundTrip) {
  for (auto p : {DurabilityPolicy::kNone, DurabilityPolicy::kFsync, DurabilityPolicy::kClose,
                 DurabilityPolicy::kGroup}) {
    auto r = ParseDurabilityPolicy(DurabilityPolicyName(p));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, p);
  }
  auto bad = ParseDurabilityPolicy("fdatasync");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("fdatasync"), std::string::npos);
  EXPECT_NE(bad.status().message().find("none, fsync, close or group"), std::string::npos);
}

TEST(StorageOptions, BackendNamesRoundTrip) {
  for (auto k : {ChunkBackendKind::kUring, ChunkBackendKind::kPosix, ChunkBackendKind::kMemory}) {
    auto r = ParseChunkBackend(ChunkBackendName(k));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, k);
  }
  auto bad = ParseChunkBackend("spdk");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("uring, posix or memory"), std::string::npos);
}

TEST(StorageOptions, ValidationNamesTheKnob) {
  ChunkStoreOptions o;
  o.data_dir = "/tmp/x";
  EXPECT_TRUE(o.Validate().ok());
  auto expect_bad = [](ChunkStoreOptions c, const char* knob) {
    Status s = c.Validate();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << knob;
    EXPECT_NE(s.message().find(knob), std::string::npos) << s.message();
  };
  ChunkStoreOptions c = o;
  c.data_dir.clear();
  expect_bad(c, "data_dir");
  c = o;
  c.chunk_size = 1000;
  expect_bad(c, "chunk_size");
  c = o;
  c.max_open_files = 0;
  expect_bad(c, "max_open_files");
  c = o;
  c.group_interval = std::chrono::seconds(5);
  expect_bad(c, "group_interval");
  c = o;
  c.direct_io_alignment = 3000;
  expect_bad(c, "direct_io_alignment");
  c = o;
  c.backend = ChunkBackendKind::kMemory;
  c.durability = DurabilityPolicy::kFsync;
  expect_bad(c, "durability");
  c = o;
  c.backend = ChunkBackendKind::kPosix;
  c.direct_io = true;
  expect_bad(c, "direct_io");

  MetadataStoreOptions m;
  EXPECT_TRUE(m.Validate().ok());
  m.max_list_page = 0;
  EXPECT_NE(m.Validate().message().find("max_list_page"), std::string::npos);
}

TEST(StorageOptions, DescribeReportsPolicy) {
  ChunkStoreOptions o;
  o.data_dir = "/d";
  o.durability = DurabilityPolicy::kGroup;
  const std::string d = o.Describe();
  EXPECT_NE(d.find("backend=uring"), std::string::npos);
  EXPECT_NE(d.find("durability=group"), std::string::npos);
  EXPECT_NE(d.find("group_interval=1ms"), std::string::npos);
}

TEST(PathName, AcceptsNormalisedAbsolutePaths) {
  for (const char* p : {"/", "/a", "/a/b", "/dir/file.0", "/.hidden", "/a/..b", "/a/b..."}) {
    EXPECT_TRUE(ValidatePath(p).ok()) << p;
  }
}

TEST(PathName, RefusesEachBadShapeWithItsRule) {
  struct Case {
    std::string path;
    const char* rule;
  };
  const Case cases[] = {
      {"", "empty"},
      {"a/b", "absolute"},
      {"/a/", "end with /"},
      {"/a//b", "empty component"},
      {"/a/./b", "'.'"},
      {"/a/../b", "'..'"},
      {"/..", "'..'"},
      {std::string("/a\0b", 4), "NUL"},
      {"/" + std::string(5000, 'x'), "longer than the limit"},
  };
  for (const Case& c : cases) {
    Status s = ValidatePath(c.path);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.path;
    EXPECT_NE(s.message().find(c.rule), std::string::npos) << s.message();
  }
  EXPECT_FALSE(ValidatePath("/abcdef", 4).ok());
}

TEST(PathName, LengthErrorsCarryEnametoolongAndShapesEinval) {
  EXPECT_EQ(ValidatePath("/abcdef", 4).sys_errno(), ENAMETOOLONG);
  EXPECT_TRUE(ValidatePath("/d/" + std::string(255, 'n')).ok());
  Status s = ValidatePath("/d/" + std::string(256, 'n'));
  EXPECT_EQ(s.sys_errno(), ENAMETOOLONG) << s.ToString();
  EXPECT_NE(s.message().find("component of 256 bytes"), std::string::npos) << s.message();
  EXPECT_EQ(ValidatePath("/a//b").sys_errno(), EINVAL);
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c(0, "123456789", 9), 0xE3069283u);
  unsigned char zeros[32] = {};
  EXPECT_EQ(Crc32c(0, zeros, 32), 0x8A9136AAu);
  // Incremental equals one-shot.
  const char* s = "hello, benchfs metadata log";
  EXPECT_EQ(Crc32c(Crc32c(0, s, 5), s + 5, 22), Crc32c(0, s, 27));
}

TEST(FileId, HexAndLayoutNames) {
  EXPECT_EQ(FileIdHex(0x00ab), "00000000000000ab");
  EXPECT_EQ(ChunkFileName(0x1234abcdull, 7), "cd/000000001234abcd.7");
  EXPECT_EQ(ChunkFileName(0xffull, kOwnerRecordIndex), "ff/00000000000000ff.path");
  EXPECT_EQ(Xxh3FileId("/a"), Xxh3FileId("/a"));
  EXPECT_NE(Xxh3FileId("/a"), Xxh3FileId("/b"));
}

}  // namespace
}  // namespace benchfs

// The file-system operation codec round-trips every header and refuses
// truncated or padded ones with a message naming the operation.
#include <gtest/gtest.h>

#include "service/ops.h"

namespace benchfs {
namespace {

TEST(Ops, RoundTrips) {
  auto c = DecodeChunkRef(EncodeChunkRef({"/a/b", 7, 4096}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path, "/a/b");
  EXPECT_EQ(c->index, 7u);
  EXPECT_EQ(c->offset, 4096u);
  auto r = DecodeReadChunk(EncodeReadChunk({{"/x", 1, 2}, 16384}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->length, 16384u);
  EXPECT_EQ(r->chunk.path, "/x");
  auto cr = DecodeCreate(EncodeCreate({"/d", InodeType::kDirectory, 0755}));
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->type, InodeType::kDirectory);
  EXPECT_EQ(cr->mode, 0755u);
  UpdateArgs u{"/f", InodeUpdate::Truncate(10)};
  auto ud = DecodeUpdate(EncodeUpdate(u));
  ASSERT_TRUE(ud.ok());
  EXPECT_EQ(ud->update.size, std::optional<uint64_t>(10));
  EXPECT_TRUE(ud->update.truncate);
  EXPECT_FALSE(ud->update.mode.has_value());
  Inode in;
  in.id = 42;
  in.type = InodeType::kFile;
  in.size = 123;
  in.mode = 0644;
  in.ctime_ns = 5;
  in.mtime_ns = 6;
  auto id = DecodeInode(EncodeInode(in));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, in);
  EXPECT_EQ(*DecodeCount(EncodeCount(99), "x"), 99u);
  EXPECT_EQ(*DecodePath(EncodePath("/p"), "meta_stat"), "/p");
}

TEST(Ops, RefusesTruncatedAndPadded) {
  auto bytes = EncodeReadChunk({{"/x", 1, 2}, 3});
  auto shorter = bytes;
  shorter.pop_back();
  auto r = DecodeReadChunk(shorter);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kProtocolError);
  EXPECT_NE(r.status().message().find("malformed read_chunk header: truncated"), std::string::npos);
  auto longer = bytes;
  longer.push_back(std::byte{0});
  EXPECT_NE(DecodeReadChunk(longer).status().message().find("trailing bytes"), std::string::npos);
  auto create = EncodeCreate({"/d", InodeType::kFile, 0});
  create[create.size() - 5] = std::byte{9};  // the type byte
  EXPECT_NE(DecodeCreate(create).status().message().find("unknown inode type"), std::string::npos);
  EXPECT_FALSE(DecodePath({}, "meta_stat").ok());
}

}  // namespace
}  // namespace benchfs

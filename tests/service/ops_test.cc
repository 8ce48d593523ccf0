// SPDX-License-Identifier: BSD-3-Clause
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
  auto create = EncodeCreate({"/d", InodeType::kFile, 0, 7});
  create[create.size() - 13] = std::byte{9};  // the type byte (before mode and epoch)
  auto again = DecodeCreate(EncodeCreate({"/d", InodeType::kDirectory, 0750, 7}));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->expect_epoch, 7u);
  EXPECT_EQ(again->mode, 0750u);
  EXPECT_EQ(DecodeNsEpoch(EncodeNsEpoch(true)).value(), true);
  EXPECT_EQ(DecodeEpoch(EncodeEpoch(42)).value(), 42u);
  auto bump = EncodeNsEpoch(true);
  bump[0] = std::byte{2};
  EXPECT_NE(DecodeNsEpoch(bump).status().message().find("bump is neither 0 nor 1"), std::string::npos);
  EXPECT_NE(DecodeCreate(create).status().message().find("unknown inode type"), std::string::npos);
  EXPECT_FALSE(DecodePath({}, "meta_stat").ok());
}

// Every namespace header: round trip, and refusal of every shorter prefix
// and of a trailing byte.
TEST(Ops, NamespaceHeadersRoundTripAndCheckEveryLength) {
  const Inode file{77, 1000, 5, 6, 0640, InodeType::kFile};
  const Inode dir{78, 0, 7, 8, 0755, InodeType::kDirectory};
  auto rn = DecodeRename(EncodeRename({"/a", "/b/c"}));
  ASSERT_TRUE(rn.ok());
  EXPECT_EQ(rn->from, "/a");
  EXPECT_EQ(rn->to, "/b/c");
  auto put = DecodePut(EncodePut({"/p", file}));
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->inode, file);
  auto mv = DecodeMove(EncodeMove({file, dir}));
  ASSERT_TRUE(mv.ok());
  EXPECT_EQ(mv->inode, file);
  ASSERT_TRUE(mv->replaced);
  EXPECT_EQ(*mv->replaced, dir);
  EXPECT_FALSE(DecodeMove(EncodeMove({file, std::nullopt}))->replaced);
  auto un = DecodeUnlink(EncodeUnlink({"/u", UnlinkKind::kDirectory, 99}));
  ASSERT_TRUE(un.ok());
  EXPECT_EQ(un->kind, UnlinkKind::kDirectory);
  EXPECT_EQ(un->expect_id, 99u);
  auto rd = DecodeReaddir(EncodeReaddir({"/d", "after", 50}));
  ASSERT_TRUE(rd.ok());
  EXPECT_EQ(rd->start_after, "after");
  EXPECT_EQ(rd->limit, 50u);
  ChildPage page;
  page.entries = {{"x", file}, {"y", dir}};
  page.more = true;
  auto pg = DecodeChildPage(EncodeChildPage(page));
  ASSERT_TRUE(pg.ok());
  ASSERT_EQ(pg->entries.size(), 2u);
  EXPECT_EQ(pg->entries[1].name, "y");
  EXPECT_EQ(pg->entries[1].inode, dir);
  EXPECT_TRUE(pg->more);
  auto tc = DecodeTruncateChunks(EncodeTruncateChunks({"/t", 12345}));
  ASSERT_TRUE(tc.ok());
  EXPECT_EQ(tc->size, 12345u);
  auto fs = DecodeFsStats(EncodeFsStats({100, 50, 3, 4096}));
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->free_bytes, 50u);
  EXPECT_EQ(fs->chunk_size, 4096u);

  auto all_prefixes_fail = [](const std::vector<std::byte>& bytes, auto decode, const char* what) {
    for (size_t n = 0; n < bytes.size(); ++n) {
      std::vector<std::byte> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
      EXPECT_FALSE(decode(cut).ok()) << what << " decoded from " << n << " of " << bytes.size() << " bytes";
    }
    auto longer = bytes;
    longer.push_back(std::byte{0});
    EXPECT_FALSE(decode(longer).ok()) << what << " with a trailing byte";
  };
  all_prefixes_fail(EncodeRename({"/a", "/b"}), [](auto b) { return DecodeRename(b); }, "rename");
  all_prefixes_fail(EncodePut({"/p", file}), [](auto b) { return DecodePut(b); }, "put");
  all_prefixes_fail(EncodeMove({file, dir}), [](auto b) { return DecodeMove(b); }, "move");
  all_prefixes_fail(EncodeUnlink({"/u", UnlinkKind::kFile, 1}), [](auto b) { return DecodeUnlink(b); }, "unlink");
  all_prefixes_fail(EncodeReaddir({"/d", "a", 1}), [](auto b) { return DecodeReaddir(b); }, "readdir");
  all_prefixes_fail(EncodeChildPage(page), [](auto b) { return DecodeChildPage(b); }, "readdir reply");
  all_prefixes_fail(EncodeTruncateChunks({"/t", 1}), [](auto b) { return DecodeTruncateChunks(b); }, "truncate");
  all_prefixes_fail(EncodeFsStats({1, 2, 3, 4}), [](auto b) { return DecodeFsStats(b); }, "statfs");

  // Bad enumerations and flags, and a count the bytes cannot hold.
  auto bad_kind = EncodeUnlink({"/u", UnlinkKind::kFile, 1});
  bad_kind[bad_kind.size() - 9] = std::byte{3};
  EXPECT_NE(DecodeUnlink(bad_kind).status().message().find("unknown kind"), std::string::npos);
  auto bad_flag = EncodeMove({file, std::nullopt});
  bad_flag[37] = std::byte{2};
  EXPECT_NE(DecodeMove(bad_flag).status().message().find("replaced flag"), std::string::npos);
  auto huge = EncodeChildPage(page);
  huge[3] = std::byte{0x7f};  // count ~2 billion
  EXPECT_NE(DecodeChildPage(huge).status().message().find("count exceeds the bytes"), std::string::npos);
  auto bad_type = EncodePut({"/p", file});
  bad_type[4 + 8] = std::byte{9};  // path "/p" (2 + 2 bytes), id, then the type
  EXPECT_NE(DecodePut(bad_type).status().message().find("unknown inode type"), std::string::npos);
}

}  // namespace
}  // namespace benchfs

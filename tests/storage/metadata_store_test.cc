// SPDX-License-Identifier: BSD-3-Clause
// MetadataStore in memory: exclusive create, stat, delete, update (grow,
// truncate, mode), paged listing by prefix, path errors and id collisions.
#include <gtest/gtest.h>

#include "storage/metadata_store.h"
#include "tests/storage/storage_test_util.h"

namespace benchfs {
namespace {

using testing::MakeExecutor;

class MetadataStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ex_ = MakeExecutor();
    ASSERT_TRUE(ex_);
  }
  std::unique_ptr<MetadataStore> Open(MetadataStoreOptions o = {}) {
    auto r = MetadataStore::Open(*ex_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r.value()) : nullptr;
  }
  std::unique_ptr<Executor> ex_;
};

TEST_F(MetadataStoreTest, CreateIsExclusiveAndStatReturnsTheInode) {
  auto m = Open();
  ex_->Run([&] {
    auto c = m->Create("/a/file", InodeType::kFile, 0644);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_NE(c->id, 0u);
    EXPECT_EQ(c->size, 0u);
    EXPECT_EQ(c->mode, 0644u);
    EXPECT_GT(c->ctime_ns, 0);
    auto again = m->Create("/a/file", InodeType::kFile, 0600);
    EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
    auto st = m->Stat("/a/file");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(*st, *c);
    EXPECT_EQ(m->Stat("/a/other").status().code(), StatusCode::kNotFound);
    auto d = m->Create("/a", InodeType::kDirectory, 0755);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->type, InodeType::kDirectory);
    EXPECT_EQ(m->size(), 2u);
  });
}

TEST_F(MetadataStoreTest, UpdateGrowsTruncatesAndChangesMode) {
  auto m = Open();
  ex_->Run([&] {
    ASSERT_TRUE(m->Create("/f", InodeType::kFile, 0644).ok());
    EXPECT_EQ(m->Update("/f", InodeUpdate::Grow(100))->size, 100u);
    EXPECT_EQ(m->Update("/f", InodeUpdate::Grow(40))->size, 100u);  // max(old, new)
    EXPECT_EQ(m->Update("/f", InodeUpdate::Truncate(40))->size, 40u);
    auto u = m->Update("/f", InodeUpdate::Mode(0600));
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->mode, 0600u);
    EXPECT_EQ(u->size, 40u);
    EXPECT_GE(u->mtime_ns, u->ctime_ns);
    EXPECT_EQ(m->Update("/f", InodeUpdate{std::nullopt, true, std::nullopt}).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(m->Update("/nope", InodeUpdate::Grow(1)).status().code(), StatusCode::kNotFound);
  });
}

TEST_F(MetadataStoreTest, DeleteRemoves) {
  auto m = Open();
  ex_->Run([&] {
    ASSERT_TRUE(m->Create("/f", InodeType::kFile, 0644).ok());
    EXPECT_TRUE(m->Delete("/f").ok());
    EXPECT_EQ(m->Stat("/f").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(m->Delete("/f").code(), StatusCode::kNotFound);
    EXPECT_TRUE(m->Create("/f", InodeType::kFile, 0644).ok());  // the name is free again
  });
}

TEST_F(MetadataStoreTest, ListsByPrefixInBoundedPages) {
  MetadataStoreOptions o;
  o.max_list_page = 4;
  auto m = Open(o);
  ex_->Run([&] {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(m->Create("/d/f" + std::to_string(i), InodeType::kFile, 0644).ok());
    ASSERT_TRUE(m->Create("/e/x", InodeType::kFile, 0644).ok());
    ASSERT_TRUE(m->Create("/d", InodeType::kDirectory, 0755).ok());
    std::vector<std::string> seen;
    std::string after;
    int pages = 0;
    for (;;) {
      auto p = m->List("/d/", after, 100);  // asks for 100, gets at most max_list_page
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_LE(p->entries.size(), 4u);
      for (auto& e : p->entries) seen.push_back(e.path);
      ++pages;
      if (!p->more) break;
      after = p->entries.back().path;
      ASSERT_TRUE(m->Create("/d/zz" + std::to_string(pages), InodeType::kFile, 0644).ok());  // mutation between pages
    }
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(seen.front(), "/d/f0");
    EXPECT_EQ(std::count(seen.begin(), seen.end(), "/e/x"), 0);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), "/d"), 0);
    EXPECT_GE(seen.size(), 10u);
    EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());  // no duplicates
    auto all = m->List("/", "", 0);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->entries.size(), 4u);
    EXPECT_TRUE(all->more);
    EXPECT_EQ(m->List("d", "", 1).status().code(), StatusCode::kInvalidArgument);
  });
}

TEST_F(MetadataStoreTest, BadPathsAreClearErrors) {
  auto m = Open();
  ex_->Run([&] {
    auto r = m->Create("relative/x", InodeType::kFile, 0644);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("absolute"), std::string::npos);
    EXPECT_EQ(m->Stat("/a/../b").status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(m->Delete(std::string("/a\0", 3)).code(), StatusCode::kInvalidArgument);
  });
}

TEST_F(MetadataStoreTest, IdCollisionIsRefusedNamingBothPaths) {
  MetadataStoreOptions o;
  o.file_id = [](std::string_view) -> uint64_t { return 42; };
  auto m = Open(o);
  ex_->Run([&] {
    ASSERT_TRUE(m->Create("/first", InodeType::kFile, 0644).ok());
    auto r = m->Create("/second", InodeType::kFile, 0644);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
    EXPECT_NE(r.status().message().find("/first"), std::string::npos);
    EXPECT_NE(r.status().message().find("/second"), std::string::npos);
    EXPECT_NE(r.status().message().find("collision"), std::string::npos);
    EXPECT_EQ(m->Stat("/second").status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(m->Stat("/first").ok());
    EXPECT_EQ(m->Delete("/second").code(), StatusCode::kNotFound);
  });
}

}  // namespace
}  // namespace benchfs

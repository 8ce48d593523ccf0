// SPDX-License-Identifier: BSD-3-Clause
// MetadataStore's namespace rules: stable ids (kept across rename, fresh for
// every create), typed unlink, rename and put with POSIX replacement rules,
// direct-children listing in pages, and the errnos each error carries.
#include <cerrno>
#include <set>

#include <gtest/gtest.h>

#include "storage/metadata_store.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/temp_dir.h"

namespace benchfs {
namespace {

using testing::MakeExecutor;

class MetadataNamespaceTest : public ::testing::Test {
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

TEST_F(MetadataNamespaceTest, EveryCreateGetsAFreshIdEvenAtAnOldName) {
  auto m = Open();
  ex_->Run([&] {
    std::set<uint64_t> ids;
    for (int i = 0; i < 1000; ++i) {
      auto c = m->Create("/f" + std::to_string(i), InodeType::kFile, 0644);
      ASSERT_TRUE(c.ok());
      EXPECT_NE(c->id, 0u);
      ids.insert(c->id);
    }
    EXPECT_EQ(ids.size(), 1000u);
    auto first = m->Stat("/f0");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(m->Delete("/f0").ok());
    auto again = m->Create("/f0", InodeType::kFile, 0644);
    ASSERT_TRUE(again.ok());
    EXPECT_NE(again->id, first->id);
  });
  // Another store (another server, or a restart) draws from another salt.
  auto other = Open();
  ex_->Run([&] {
    auto a = m->Create("/same", InodeType::kFile, 0644);
    auto b = other->Create("/same", InodeType::kFile, 0644);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a->id, b->id);
  });
}

TEST_F(MetadataNamespaceTest, ErrorsCarryTheirErrno) {
  auto m = Open();
  ex_->Run([&] {
    ASSERT_TRUE(m->Create("/d", InodeType::kDirectory, 0755).ok());
    ASSERT_TRUE(m->Create("/f", InodeType::kFile, 0644).ok());
    EXPECT_EQ(m->Create("/d", InodeType::kFile, 0644).status().sys_errno(), EEXIST);
    EXPECT_EQ(m->Stat("/nope").status().sys_errno(), ENOENT);
    EXPECT_EQ(m->Stat("/" + std::string(300, 'n')).status().sys_errno(), ENAMETOOLONG);
    EXPECT_EQ(m->Unlink("/d", UnlinkKind::kFile).status().sys_errno(), EISDIR);
    EXPECT_EQ(m->Unlink("/f", UnlinkKind::kDirectory).status().sys_errno(), ENOTDIR);
    EXPECT_EQ(m->Unlink("/nope", UnlinkKind::kAny).status().sys_errno(), ENOENT);
    EXPECT_EQ(m->Update("/d", InodeUpdate::Truncate(10)).status().sys_errno(), EISDIR);
    EXPECT_TRUE(m->Update("/d", InodeUpdate::Mode(0700)).ok());
  });
}

TEST_F(MetadataNamespaceTest, UnlinkChecksTypeAndExpectedId) {
  auto m = Open();
  ex_->Run([&] {
    auto f = m->Create("/f", InodeType::kFile, 0644);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(m->Unlink("/f", UnlinkKind::kFile, f->id + 1).status().sys_errno(), ENOENT);
    EXPECT_TRUE(m->Stat("/f").ok()) << "a refused unlink leaves the entry";
    auto gone = m->Unlink("/f", UnlinkKind::kFile, f->id);
    ASSERT_TRUE(gone.ok()) << gone.status().ToString();
    EXPECT_EQ(*gone, *f);
    EXPECT_EQ(m->Stat("/f").status().code(), StatusCode::kNotFound);
    ASSERT_TRUE(m->Create("/d", InodeType::kDirectory, 0755).ok());
    EXPECT_TRUE(m->Unlink("/d", UnlinkKind::kDirectory).ok());
    EXPECT_EQ(m->size(), 0u);
  });
}

TEST_F(MetadataNamespaceTest, RenameKeepsTheInodeAndFollowsReplacementRules) {
  auto m = Open();
  ex_->Run([&] {
    auto a = m->Create("/a", InodeType::kFile, 0600);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(m->Update("/a", InodeUpdate::Grow(777)).ok());
    auto moved = m->Rename("/a", "/b");
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
    EXPECT_EQ(moved->inode.id, a->id);
    EXPECT_FALSE(moved->replaced);
    EXPECT_EQ(m->Stat("/a").status().code(), StatusCode::kNotFound);
    auto b = m->Stat("/b");
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->id, a->id);
    EXPECT_EQ(b->size, 777u);
    EXPECT_EQ(b->mode, 0600u);
    // A new file at the old name is another file.
    auto a2 = m->Create("/a", InodeType::kFile, 0644);
    ASSERT_TRUE(a2.ok());
    EXPECT_NE(a2->id, a->id);
    // File over file: replaced, and the replaced inode is reported.
    auto over = m->Rename("/a", "/b");
    ASSERT_TRUE(over.ok());
    ASSERT_TRUE(over->replaced);
    EXPECT_EQ(over->replaced->id, a->id);
    EXPECT_EQ(m->Stat("/b")->id, a2->id);
    EXPECT_EQ(m->size(), 1u);
    // Type mismatches.
    ASSERT_TRUE(m->Create("/d", InodeType::kDirectory, 0755).ok());
    ASSERT_TRUE(m->Create("/e", InodeType::kDirectory, 0755).ok());
    EXPECT_EQ(m->Rename("/b", "/d").status().sys_errno(), EISDIR);
    EXPECT_EQ(m->Rename("/d", "/b").status().sys_errno(), ENOTDIR);
    EXPECT_TRUE(m->Stat("/b").ok() && m->Stat("/d").ok()) << "a refused rename changes nothing";
    EXPECT_TRUE(m->Rename("/d", "/e").ok());  // empty directory over directory (emptiness: the caller's)
    EXPECT_EQ(m->Rename("/missing", "/x").status().sys_errno(), ENOENT);
    auto same = m->Rename("/b", "/b");
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->inode.id, a2->id);
    EXPECT_TRUE(m->Stat("/b").ok());
  });
}

TEST_F(MetadataNamespaceTest, PutStoresTheGivenInodeWithReplacementRules) {
  auto m = Open();
  ex_->Run([&] {
    Inode i{12345, 99, 1, 2, 0640, InodeType::kFile};
    auto put = m->Put("/p", i);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_EQ(*m->Stat("/p"), i);
    auto again = m->Put("/p", i);  // a retried put replaces nothing
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->replaced);
    Inode j = i;
    j.id = 999;
    auto over = m->Put("/p", j);
    ASSERT_TRUE(over.ok());
    ASSERT_TRUE(over->replaced);
    EXPECT_EQ(over->replaced->id, 12345u);
    Inode d{5, 0, 1, 2, 0755, InodeType::kDirectory};
    EXPECT_EQ(m->Put("/p", d).status().sys_errno(), ENOTDIR);
    j.id = 0;
    EXPECT_EQ(m->Put("/q", j).status().code(), StatusCode::kInvalidArgument);
  });
}

TEST_F(MetadataNamespaceTest, ChildrenAreDirectAndPaged) {
  MetadataStoreOptions o;
  o.max_list_page = 3;
  auto m = Open(o);
  ex_->Run([&] {
    for (const char* p : {"/d", "/d/a", "/d/a-b", "/d/b", "/d/c", "/d/e", "/dz", "/d0"}) {
      ASSERT_TRUE(m->Create(p, InodeType::kFile, 0644).ok()) << p;
    }
    // Deeper entries whose directory lives elsewhere are skipped, not listed.
    for (const char* p : {"/d/a/x", "/d/a/y/z", "/d/q/r", "/d/b/s"}) {
      ASSERT_TRUE(m->Create(p, InodeType::kFile, 0644).ok()) << p;
    }
    std::vector<std::string> names;
    std::string after;
    int pages = 0;
    while (true) {
      auto page = m->Children("/d", after);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      ++pages;
      for (const ChildEntry& e : page->entries) names.push_back(e.name);
      if (!page->more) break;
      ASSERT_FALSE(page->entries.empty());
      after = page->entries.back().name;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"a", "a-b", "b", "c", "e"}));
    EXPECT_EQ(pages, 2);
    auto root = m->Children("/", "", 100);
    ASSERT_TRUE(root.ok());
    std::vector<std::string> top;
    for (const ChildEntry& e : root->entries) top.push_back(e.name);
    EXPECT_EQ(top, (std::vector<std::string>{"d", "d0", "dz"}));
    auto limited = m->Children("/d", "", 1);
    ASSERT_TRUE(limited.ok());
    EXPECT_EQ(limited->entries.size(), 1u);
    EXPECT_TRUE(limited->more);
    EXPECT_TRUE(m->Children("/none")->entries.empty());
    EXPECT_EQ(m->Children("/d", "a/b").status().code(), StatusCode::kInvalidArgument);
  });
}

// Children() answers a directory with no child here from its per-parent
// counts; they follow every kind of change, replay included.
TEST_F(MetadataNamespaceTest, ChildCountsFollowEveryChange) {
  testing::TempDir dir;
  MetadataStoreOptions o;
  o.log_path = dir.path() + "/meta.log";
  auto names = [](MetadataStore& m, const std::string& d) {
    std::vector<std::string> out;
    auto page = m.Children(d, "", 100);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (page.ok()) {
      for (const ChildEntry& e : page->entries) out.push_back(e.name);
    }
    return out;
  };
  using V = std::vector<std::string>;
  {
    auto m = Open(o);
    ASSERT_TRUE(m);
    ex_->Run([&] {
      ASSERT_TRUE(m->Create("/d/a", InodeType::kFile, 0644).ok());
      ASSERT_TRUE(m->Create("/d/b", InodeType::kFile, 0644).ok());
      ASSERT_TRUE(m->Create("/x/y/z", InodeType::kFile, 0644).ok());
      EXPECT_EQ(names(*m, "/d"), (V{"a", "b"}));
      EXPECT_EQ(names(*m, "/x"), V{}) << "a grandchild is not a child";
      EXPECT_EQ(names(*m, "/x/y"), V{"z"});
      ASSERT_TRUE(m->Rename("/d/a", "/e/a").ok());
      EXPECT_EQ(names(*m, "/d"), V{"b"});
      EXPECT_EQ(names(*m, "/e"), V{"a"});
      ASSERT_TRUE(m->Unlink("/d/b", UnlinkKind::kFile).ok());
      EXPECT_EQ(names(*m, "/d"), V{});
      ASSERT_TRUE(m->Put("/d/c", Inode{77, 0, 1, 1, 0644, InodeType::kFile}).ok());
      ASSERT_TRUE(m->Put("/d/c", Inode{78, 0, 1, 1, 0644, InodeType::kFile}).ok());  // a replacement
      EXPECT_EQ(names(*m, "/d"), V{"c"});
      ASSERT_TRUE(m->Create("/top", InodeType::kFile, 0644).ok());
      EXPECT_EQ(names(*m, "/"), V{"top"});
      ASSERT_TRUE(m->Delete("/x/y/z").ok());
      EXPECT_EQ(names(*m, "/x/y"), V{});
      ASSERT_TRUE(m->Close().ok());
    });
  }
  auto m = Open(o);
  ASSERT_TRUE(m);
  ex_->Run([&] {
    EXPECT_EQ(names(*m, "/d"), V{"c"});
    EXPECT_EQ(names(*m, "/e"), V{"a"});
    EXPECT_EQ(names(*m, "/"), V{"top"});
    EXPECT_EQ(names(*m, "/x/y"), V{});
  });
}

TEST_F(MetadataNamespaceTest, RenamedIdsSurviveLogReplay) {
  testing::TempDir dir;
  MetadataStoreOptions o;
  o.log_path = dir.path() + "/meta.log";
  uint64_t id = 0;
  {
    auto m = Open(o);
    ASSERT_TRUE(m);
    ex_->Run([&] {
      auto c = m->Create("/x", InodeType::kFile, 0644);
      ASSERT_TRUE(c.ok());
      id = c->id;
      ASSERT_TRUE(m->Rename("/x", "/y").ok());
      ASSERT_TRUE(m->Put("/z", Inode{4242, 0, 1, 1, 0644, InodeType::kFile}).ok());
      ASSERT_TRUE(m->Close().ok());
    });
  }
  auto m = Open(o);
  ASSERT_TRUE(m);
  ex_->Run([&] {
    EXPECT_EQ(m->Stat("/x").status().code(), StatusCode::kNotFound);
    auto y = m->Stat("/y");
    ASSERT_TRUE(y.ok());
    EXPECT_EQ(y->id, id);
    EXPECT_EQ(m->Stat("/z")->id, 4242u);
  });
}

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The namespace end to end over two in-process servers: directories, rename
// within and across servers (ids and chunks stay), readdir across servers in
// pages, unlink and truncate of chunks, statfs, and every errno the client
// sees (ErrnoOf of the returned status).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "rpc/server_thread.h"
#include "service/fs_client.h"
#include "service/fs_server.h"
#include "tests/support/temp_dir.h"

namespace benchfs {
namespace {

constexpr uint64_t kChunk = 4096;
constexpr uint32_t kServers = 2;
constexpr uint32_t kServerMaxHeader = 2048;

class NamespaceTest : public ::testing::TestWithParam<ChunkBackendKind> {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("ns");
    ASSERT_FALSE(dir_.empty());
    fs_.resize(kServers);
    for (uint32_t i = 0; i < kServers; ++i) {
      ServerThreadOptions so;
      so.rpc.limits.max_header = kServerMaxHeader;  // small: readdir replies get cut
      so.setup = [this, i](RpcServer& srv, Executor& ex) {
        FsServerOptions fo;
        fo.chunks.backend = GetParam();
        fo.chunks.data_dir = dir_ + "/data" + std::to_string(i);
        fo.chunks.chunk_size = kChunk;
        fo.metadata.log_path = dir_ + "/meta" + std::to_string(i) + ".log";
        fo.metadata.max_list_page = 16;
        auto f = FsServer::Open(ex, srv, fo);
        ASSERT_TRUE(f.ok()) << f.status().ToString();
        fs_[i] = std::move(f.value());
      };
      so.teardown = [this, i] {
        if (fs_[i]) {
          EXPECT_TRUE(fs_[i]->Close().ok());
        }
        fs_[i].reset();
      };
      servers_.push_back(std::make_unique<ServerThread>(so));
      ASSERT_EQ(servers_.back()->error(), "");
    }
    ex_ = std::move(Executor::Create({}).value());
    ASSERT_TRUE(ex_->EnableUcx({}).ok());
  }
  void TearDown() override {
    ex_.reset();
    servers_.clear();
    std::filesystem::remove_all(dir_);
  }
  void WithClient(const std::function<void(FsClient&)>& fn) {
    ex_->Run([&] {
      auto c = FsClient::Connect(*ex_->ucx(), Refs(), {});
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      fn(**c);
    });
  }
  // Runs `fn` with a second client: its own executor and connections, on a
  // thread of its own (the caller's executor waits meanwhile).
  void OtherClient(const std::function<void(FsClient&)>& fn) {
    std::vector<ServerRef> refs = Refs();
    std::thread t([&] {
      auto ex = Executor::Create({});
      ASSERT_TRUE(ex.ok()) << ex.status().ToString();
      ASSERT_TRUE((*ex)->EnableUcx({}).ok());
      (*ex)->Run([&] {
        auto c = FsClient::Connect(*(*ex)->ucx(), refs, {});
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        fn(**c);
      });
    });
    t.join();
  }
  std::vector<ServerRef> Refs() const {
    std::vector<ServerRef> refs;
    for (auto& s : servers_) {
      ServerRef ref;
      ref.host = "127.0.0.1";
      ref.port = s->port();
      refs.push_back(ref);
    }
    return refs;
  }
  // A path "<dir>/<stem>N" whose metadata lives on `server`.
  static std::string On(const FsClient& c, uint32_t server, const std::string& dir, const std::string& stem) {
    for (int n = 0;; ++n) {
      std::string p = (dir == "/" ? "" : dir) + "/" + stem + std::to_string(n);
      if (c.placement().MetadataOwner(p) == server) return p;
    }
  }
  static uint64_t Counter(FsClient& c, const std::string& name) {
    uint64_t sum = 0;
    for (uint32_t i = 0; i < c.servers(); ++i) {
      auto kv = c.ServerStatus(i);
      EXPECT_TRUE(kv.ok()) << kv.status().ToString();
      if (!kv.ok()) continue;
      for (const auto& [k, v] : *kv) {
        if (k == name) sum += v;
      }
    }
    return sum;
  }
  static void Write(FsClient& c, uint64_t id, uint64_t index, size_t len, char fill) {
    IoBuffer b = IoBuffer::Allocate(len);
    std::memset(b.data(), fill, len);
    Status s = c.WriteChunkOf(id, index, 0, b, len);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::string dir_;
  std::vector<std::unique_ptr<FsServer>> fs_;
  std::vector<std::unique_ptr<ServerThread>> servers_;
  std::unique_ptr<Executor> ex_;
};

TEST_P(NamespaceTest, DirectoriesAndParentChecks) {
  WithClient([&](FsClient& c) {
    auto root = c.Stat("/");
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(root->type, InodeType::kDirectory);
    EXPECT_EQ(ErrnoOf(c.Mkdir("/").status()), EEXIST);
    auto d = c.Mkdir("/d", 0750);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    auto st = c.Stat("/d");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->type, InodeType::kDirectory);
    EXPECT_EQ(st->mode, 0750u);
    EXPECT_EQ(ErrnoOf(c.Mkdir("/d").status()), EEXIST);
    EXPECT_EQ(ErrnoOf(c.Mkdir("/missing/sub").status()), ENOENT);
    ASSERT_TRUE(c.CreateFile("/d/f").ok());
    EXPECT_EQ(ErrnoOf(c.CreateFile("/d/f").status()), EEXIST);
    EXPECT_EQ(ErrnoOf(c.Mkdir("/d/f/sub").status()), ENOTDIR);
    EXPECT_EQ(ErrnoOf(c.CreateFile("/d/f/g").status()), ENOTDIR);
    EXPECT_EQ(ErrnoOf(c.CreateFile("/nope/g").status()), ENOENT);
    EXPECT_EQ(ErrnoOf(c.CreateFile("/d/" + std::string(256, 'x')).status()), ENAMETOOLONG);
    EXPECT_EQ(ErrnoOf(c.CreateFile("relative").status()), EINVAL);
    // The server's own checks travel with their errno too (no client-side check here).
    EXPECT_EQ(ErrnoOf(c.Stat("/" + std::string(300, 'y')).status()), ENAMETOOLONG);
    EXPECT_EQ(ErrnoOf(c.Stat("/d/none").status()), ENOENT);
    // A create whose parent check failed left nothing behind.
    EXPECT_EQ(ErrnoOf(c.Stat("/missing/sub").status()), ENOENT);
    EXPECT_EQ(ErrnoOf(c.Stat("/d/f/g").status()), ENOENT);
    EXPECT_EQ(Counter(c, "metadata_entries"), 2u);  // /d and /d/f
    // A parent check failure wins over EEXIST, as in POSIX.
    ASSERT_TRUE(c.Create("/gone/orphan").ok());  // raw create: no parent check
    EXPECT_EQ(ErrnoOf(c.CreateFile("/gone/orphan").status()), ENOENT);
    EXPECT_TRUE(c.Stat("/gone/orphan").ok()) << "only an entry this call created is taken back";
  });
}

// A parent found to exist is not stat'ed again for the next create in it,
// until a directory is removed or renamed anywhere (by any client): then a
// create under the removed name fails as it must, and one under a new
// directory of the same name succeeds.
TEST_P(NamespaceTest, ParentChecksAreRememberedUntilADirectoryGoes) {
  WithClient([&](FsClient& c) {
    ASSERT_TRUE(c.Mkdir("/p").ok());
    const uint64_t stats_before = Counter(c, "op.meta_stat");
    ASSERT_TRUE(c.CreateFile("/p/a").ok());
    EXPECT_EQ(Counter(c, "op.meta_stat"), stats_before + 1) << "the first create in /p checks it";
    for (const char* name : {"/p/b", "/p/c", "/p/d"}) ASSERT_TRUE(c.CreateFile(name).ok()) << name;
    EXPECT_EQ(Counter(c, "op.meta_stat"), stats_before + 1) << "later creates in /p do not";

    // Another client empties and removes /p: the next create under it fails.
    OtherClient([](FsClient& c2) {
      for (const char* name : {"/p/a", "/p/b", "/p/c", "/p/d"}) ASSERT_TRUE(c2.Unlink(name).ok()) << name;
      ASSERT_TRUE(c2.Rmdir("/p").ok());
    });
    EXPECT_EQ(ErrnoOf(c.CreateFile("/p/e").status()), ENOENT);
    EXPECT_EQ(ErrnoOf(c.Mkdir("/p/sub").status()), ENOENT);
    EXPECT_EQ(ErrnoOf(c.Stat("/p/e").status()), ENOENT);
    // A new /p (a file this time, then a directory again).
    OtherClient([](FsClient& c2) { ASSERT_TRUE(c2.CreateFile("/p").ok()); });
    EXPECT_EQ(ErrnoOf(c.CreateFile("/p/e").status()), ENOTDIR);
    OtherClient([](FsClient& c2) {
      ASSERT_TRUE(c2.Unlink("/p").ok());
      ASSERT_TRUE(c2.Mkdir("/p").ok());
    });
    EXPECT_TRUE(c.CreateFile("/p/e").ok());

    // A directory renamed away by another client: its old name takes no
    // more creates, its new one does.
    ASSERT_TRUE(c.Mkdir("/q").ok());
    ASSERT_TRUE(c.CreateFile("/q/x").ok());
    OtherClient([](FsClient& c2) {
      ASSERT_TRUE(c2.Unlink("/q/x").ok());
      ASSERT_TRUE(c2.Rename("/q", "/q2").ok());
    });
    EXPECT_EQ(ErrnoOf(c.CreateFile("/q/y").status()), ENOENT);
    EXPECT_TRUE(c.CreateFile("/q2/y").ok());
    EXPECT_EQ(Counter(c, "metadata_entries"), 4u);  // /p, /p/e, /q2, /q2/y
  });
}

TEST_P(NamespaceTest, RmdirRefusesFilesAndNonEmptyDirectoriesOnAnyServer) {
  WithClient([&](FsClient& c) {
    ASSERT_TRUE(c.Mkdir("/r").ok());
    EXPECT_EQ(ErrnoOf(c.Rmdir("/none")), ENOENT);
    EXPECT_EQ(ErrnoOf(c.Rmdir("/")), EBUSY);
    const uint32_t dir_owner = c.placement().MetadataOwner("/r");
    // A child whose metadata is on the other server than the directory's.
    const std::string child = On(c, 1 - dir_owner, "/r", "c");
    ASSERT_TRUE(c.CreateFile(child).ok());
    EXPECT_EQ(ErrnoOf(c.Rmdir(child)), ENOTDIR);
    EXPECT_EQ(ErrnoOf(c.Rmdir("/r")), ENOTEMPTY);
    EXPECT_TRUE(c.Stat("/r").ok());
    EXPECT_EQ(ErrnoOf(c.Unlink("/r")), EISDIR);
    ASSERT_TRUE(c.Unlink(child).ok());
    EXPECT_EQ(ErrnoOf(c.Unlink(child)), ENOENT);
    Status s = c.Rmdir("/r");
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(ErrnoOf(c.Stat("/r").status()), ENOENT);
    EXPECT_EQ(Counter(c, "metadata_entries"), 0u);
  });
}

TEST_P(NamespaceTest, UnlinkRemovesChunksAndMetadata) {
  WithClient([&](FsClient& c) {
    auto f = c.CreateFile("/u");
    ASSERT_TRUE(f.ok());
    for (uint64_t i = 0; i < 4; ++i) Write(c, f->id, i, kChunk, 'u');
    ASSERT_TRUE(c.Update("/u", InodeUpdate::Grow(4 * kChunk)).ok());
    EXPECT_EQ(Counter(c, "chunk_files"), 4u);
    // Striped: chunk i on (first + i) mod N, so both servers hold two.
    EXPECT_NE(c.placement().ChunkOwnerOfId(f->id, 0), c.placement().ChunkOwnerOfId(f->id, 1));
    ASSERT_TRUE(c.Unlink("/u").ok());
    EXPECT_EQ(Counter(c, "chunk_files"), 0u);
    EXPECT_EQ(Counter(c, "metadata_entries"), 0u);
    // An empty file: its metadata only.
    auto st = c.StatFs();
    ASSERT_TRUE(st.ok());
    auto g = c.CreateFile("/g");
    ASSERT_TRUE(g.ok());
    const uint64_t removes = Counter(c, "op.remove");
    ASSERT_TRUE(c.Unlink("/g").ok());
    EXPECT_EQ(ErrnoOf(c.Stat("/g").status()), ENOENT);
    EXPECT_EQ(Counter(c, "op.remove"), removes) << "a file of size 0 has no chunks to ask for";
  });
}

TEST_P(NamespaceTest, RenameWithinAndAcrossServersKeepsIdAndData) {
  WithClient([&](FsClient& c) {
    for (uint32_t target = 0; target < kServers; ++target) {
      const std::string from = On(c, 0, "/", "src" + std::to_string(target) + "_");
      const std::string to = On(c, target, "/", "dst" + std::to_string(target) + "_");
      auto f = c.CreateFile(from, 0640);
      ASSERT_TRUE(f.ok());
      Write(c, f->id, 0, 100, 'r');
      ASSERT_TRUE(c.Update(from, InodeUpdate::Grow(100)).ok());
      Status s = c.Rename(from, to);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(ErrnoOf(c.Stat(from).status()), ENOENT) << "across servers: " << (target != 0);
      auto st = c.Stat(to);
      ASSERT_TRUE(st.ok());
      EXPECT_EQ(st->id, f->id);
      EXPECT_EQ(st->size, 100u);
      EXPECT_EQ(st->mode, 0640u);
      IoBuffer in = IoBuffer::Allocate(100);
      auto n = c.ReadChunkOf(st->id, 0, 0, in, 100);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      EXPECT_EQ(*n, 100u);
      EXPECT_EQ(static_cast<char>(in.data()[99]), 'r');
      // A new file at the old name is a different file with no data.
      auto again = c.CreateFile(from);
      ASSERT_TRUE(again.ok());
      EXPECT_NE(again->id, f->id);
      EXPECT_EQ(c.ReadChunkOf(again->id, 0, 0, in, 100).status().code(), StatusCode::kNotFound);
    }
    EXPECT_EQ(Counter(c, "metadata_entries"), 4u);
  });
}

TEST_P(NamespaceTest, RenameReplacesFilesAndFollowsDirectoryRules) {
  WithClient([&](FsClient& c) {
    // File over file on another server: the replaced file's chunks go.
    const std::string a = On(c, 0, "/", "a");
    const std::string b = On(c, 1, "/", "b");
    auto fa = c.CreateFile(a);
    auto fb = c.CreateFile(b);
    ASSERT_TRUE(fa.ok() && fb.ok());
    Write(c, fb->id, 0, 10, 'b');
    ASSERT_TRUE(c.Update(b, InodeUpdate::Grow(10)).ok());
    EXPECT_EQ(Counter(c, "chunk_files"), 1u);
    ASSERT_TRUE(c.Rename(a, b).ok());
    EXPECT_EQ(c.Stat(b)->id, fa->id);
    EXPECT_EQ(Counter(c, "chunk_files"), 0u);
    // Same name: nothing happens.
    EXPECT_TRUE(c.Rename(b, b).ok());
    EXPECT_EQ(c.Stat(b)->id, fa->id);
    // Errors.
    EXPECT_EQ(ErrnoOf(c.Rename("/none", "/x")), ENOENT);
    EXPECT_EQ(ErrnoOf(c.Rename(b, "/nodir/x")), ENOENT);
    EXPECT_EQ(ErrnoOf(c.Rename(b, b + "/x")), EINVAL);
    EXPECT_EQ(ErrnoOf(c.Rename("/", "/x")), EBUSY);
    ASSERT_TRUE(c.Mkdir("/d1").ok());
    ASSERT_TRUE(c.Mkdir("/d2").ok());
    EXPECT_EQ(ErrnoOf(c.Rename(b, "/d1")), EISDIR);
    EXPECT_EQ(ErrnoOf(c.Rename("/d1", b)), ENOTDIR);
    EXPECT_EQ(ErrnoOf(c.Rename("/d1", "/d1/sub")), EINVAL);
    ASSERT_TRUE(c.CreateFile(On(c, 1 - c.placement().MetadataOwner("/d2"), "/d2", "k")).ok());
    EXPECT_EQ(ErrnoOf(c.Rename("/d1", "/d2")), ENOTEMPTY);
    EXPECT_EQ(ErrnoOf(c.Rename("/d2", "/d3")), EXDEV);
    // An empty directory moves (whichever servers the names hash to).
    auto d1 = c.Stat("/d1");
    ASSERT_TRUE(c.Rename("/d1", "/d9").ok());
    auto d9 = c.Stat("/d9");
    ASSERT_TRUE(d9.ok());
    EXPECT_EQ(d9->type, InodeType::kDirectory);
    EXPECT_EQ(d9->id, d1->id);
    EXPECT_EQ(ErrnoOf(c.Stat("/d1").status()), ENOENT);
  });
}

// A rename across servers whose source another fiber unlinks between the
// rename's first look and its removal of the old record: the rename fails
// with ENOENT and the file it had replaced at the new name is put back.
TEST_P(NamespaceTest, CrossServerRenameThatLosesARaceRestoresTheTarget) {
  WithClient([&](FsClient& c) {
    const std::string from = On(c, 0, "/", "race");
    const std::string to = On(c, 1, "/", "target");
    auto src = c.CreateFile(from);
    auto dst = c.CreateFile(to);
    ASSERT_TRUE(src.ok() && dst.ok());
    Write(c, dst->id, 0, 10, 't');
    ASSERT_TRUE(c.Update(to, InodeUpdate::Grow(10)).ok());
    // The rename's first RPC (a STAT of `from`) goes out before the other
    // fiber runs; that fiber's unlink is done before the rename's later RPCs.
    Status unlinked = Status::Internal("not run");
    FiberHandle other = ex_->Spawn([&] { unlinked = c.Unlink(from); });
    Status renamed = c.Rename(from, to);
    ex_->Join(other);
    EXPECT_TRUE(unlinked.ok()) << unlinked.ToString();
    EXPECT_EQ(ErrnoOf(renamed), ENOENT) << renamed.ToString();
    EXPECT_EQ(Counter(c, "op.meta_put"), 2u) << "the copy, then the restore";
    auto st = c.Stat(to);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_EQ(st->id, dst->id);
    EXPECT_EQ(st->size, 10u);
    EXPECT_EQ(Counter(c, "chunk_files"), 1u) << "the target's data stays";
    EXPECT_EQ(ErrnoOf(c.Stat(from).status()), ENOENT);
  });
}

TEST_P(NamespaceTest, ReaddirAcrossServersInPages) {
  WithClient([&](FsClient& c) {
    ASSERT_TRUE(c.Mkdir("/big").ok());
    std::set<std::string> want;
    std::vector<uint32_t> per_server(kServers);
    for (int i = 0; i < 41; ++i) {
      const std::string name = "e" + std::to_string(i);
      ASSERT_TRUE((i % 5 == 0 ? c.Mkdir("/big/" + name).status() : c.CreateFile("/big/" + name).status()).ok());
      ++per_server[c.placement().MetadataOwner("/big/" + name)];
      want.insert(name);
    }
    ASSERT_TRUE(c.CreateFile("/big/e0/deeper").ok());  // not an entry of /big
    ASSERT_TRUE(c.CreateFile("/outside").ok());
    EXPECT_GT(per_server[0], 0u);
    EXPECT_GT(per_server[1], 0u);
    std::set<std::string> got;
    std::string cursor;
    int pages = 0;
    do {
      auto page = c.Readdir("/big", cursor, 7);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_LE(page->entries.size(), 7u);
      ++pages;
      for (const DirEntry& e : page->entries) {
        EXPECT_TRUE(got.insert(e.name).second) << "listed twice: " << e.name;
        EXPECT_EQ(e.inode.type, e.name == "e0" || e.name == "e5" ? InodeType::kDirectory : e.inode.type);
        EXPECT_EQ(e.inode.id, c.Stat("/big/" + e.name)->id);
      }
      cursor = page->next;
      ASSERT_LT(pages, 100);
    } while (!cursor.empty());
    EXPECT_EQ(got, want);
    EXPECT_GE(pages, 6);
    // The server's page size (16) bounds a page asked for without a limit.
    auto whole = c.Readdir("/big");
    ASSERT_TRUE(whole.ok());
    EXPECT_LE(whole->entries.size(), 16u);
    EXPECT_FALSE(whole->next.empty());
    auto root = c.Readdir("/", "", 100);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(ErrnoOf(c.Readdir("/none").status()), ENOENT);
    EXPECT_EQ(ErrnoOf(c.Readdir("/outside").status()), ENOTDIR);
    EXPECT_EQ(ErrnoOf(c.Readdir("/big", "junk").status()), EINVAL);
    EXPECT_EQ(ErrnoOf(c.Readdir("/big", "9/x").status()), EINVAL);
    ASSERT_TRUE(c.Mkdir("/empty").ok());
    auto empty = c.Readdir("/empty");
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->entries.empty());
    EXPECT_TRUE(empty->next.empty());
  });
}

// Pages of long names are cut to what one reply header holds, and the walk
// still sees every entry once.
TEST_P(NamespaceTest, ReaddirPagesAreCutToTheReplyHeader) {
  WithClient([&](FsClient& c) {
    ASSERT_TRUE(c.Mkdir("/long").ok());
    std::set<std::string> want;
    for (int i = 0; i < 24; ++i) {
      std::string name = std::to_string(i) + std::string(250, 'n');
      ASSERT_TRUE(c.CreateFile("/long/" + name).ok());
      want.insert(name);
    }
    std::set<std::string> got;
    std::string cursor;
    size_t largest = 0;
    do {
      auto page = c.Readdir("/long", cursor, 100);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      largest = std::max(largest, page->entries.size());
      for (const DirEntry& e : page->entries) EXPECT_TRUE(got.insert(e.name).second);
      cursor = page->next;
    } while (!cursor.empty());
    EXPECT_EQ(got, want);
    EXPECT_LE(largest * (2 + 254 + 37), size_t{kServerMaxHeader});
    EXPECT_GT(largest, 0u);
  });
}

TEST_P(NamespaceTest, TruncateCutsChunksAndGrowsWithHoles) {
  WithClient([&](FsClient& c) {
    auto f = c.CreateFile("/t");
    ASSERT_TRUE(f.ok());
    for (uint64_t i = 0; i < 3; ++i) Write(c, f->id, i, kChunk, static_cast<char>('0' + i));
    ASSERT_TRUE(c.Update("/t", InodeUpdate::Grow(3 * kChunk)).ok());
    const uint64_t cut = kChunk + 1000;
    auto shrunk = c.Truncate("/t", cut);
    ASSERT_TRUE(shrunk.ok()) << shrunk.status().ToString();
    EXPECT_EQ(shrunk->size, cut);
    EXPECT_EQ(c.Stat("/t")->size, cut);
    EXPECT_EQ(Counter(c, "chunk_files"), 2u);
    IoBuffer in = IoBuffer::Allocate(kChunk);
    auto n = c.ReadChunkOf(f->id, 1, 0, in, kChunk);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 1000u) << "the chunk the new end falls in is cut there";
    EXPECT_EQ(static_cast<char>(in.data()[999]), '1');
    EXPECT_EQ(c.ReadChunkOf(f->id, 2, 0, in, kChunk).status().code(), StatusCode::kNotFound);
    // Growing keeps what is there; the rest is a hole (no chunk: zeros).
    auto grown = c.Truncate("/t", 5 * kChunk);
    ASSERT_TRUE(grown.ok());
    EXPECT_EQ(c.Stat("/t")->size, 5 * kChunk);
    n = c.ReadChunkOf(f->id, 1, 0, in, kChunk);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 1000u);
    EXPECT_EQ(c.ReadChunkOf(f->id, 4, 0, in, kChunk).status().code(), StatusCode::kNotFound);
    // A write past the cut end of a chunk: the bytes between read as zeros,
    // not as what the chunk held before the cut.
    IoBuffer z = IoBuffer::Allocate(10);
    std::memset(z.data(), 'z', 10);
    ASSERT_TRUE(c.WriteChunkOf(f->id, 1, 3000, z, 10).ok());
    n = c.ReadChunkOf(f->id, 1, 0, in, kChunk);
    ASSERT_TRUE(n.ok());
    ASSERT_EQ(*n, 3010u);
    EXPECT_EQ(static_cast<char>(in.data()[999]), '1');
    for (size_t i = 1000; i < 3000; ++i) ASSERT_EQ(static_cast<char>(in.data()[i]), 0) << "byte " << i;
    EXPECT_EQ(static_cast<char>(in.data()[3000]), 'z');
    ASSERT_TRUE(c.Truncate("/t", 0).ok());
    EXPECT_EQ(Counter(c, "chunk_files"), 0u);
    ASSERT_TRUE(c.Mkdir("/td").ok());
    EXPECT_EQ(ErrnoOf(c.Truncate("/td", 0).status()), EISDIR);
    EXPECT_EQ(ErrnoOf(c.Truncate("/none", 0).status()), ENOENT);
  });
}

TEST_P(NamespaceTest, StatFsSumsTheServers) {
  WithClient([&](FsClient& c) {
    ASSERT_TRUE(c.Mkdir("/s").ok());
    ASSERT_TRUE(c.CreateFile("/s/a").ok());
    ASSERT_TRUE(c.CreateFile("/s/b").ok());
    EXPECT_EQ(c.chunk_size(), 0u);
    auto t = c.StatFs();
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->servers, kServers);
    EXPECT_EQ(t->chunk_size, kChunk);
    EXPECT_EQ(t->files, 3u);
    EXPECT_GT(t->total_bytes, 0u);
    EXPECT_LE(t->free_bytes, t->total_bytes);
    EXPECT_EQ(c.chunk_size(), kChunk);
  });
}

// `bench small` writes chunks of paths it never creates: the path-keyed calls
// still work beside namespace files.
TEST_P(NamespaceTest, PathKeyedChunksStillWork) {
  WithClient([&](FsClient& c) {
    IoBuffer b = IoBuffer::Allocate(64);
    std::memset(b.data(), 'p', 64);
    ASSERT_TRUE(c.WriteChunk("/bench/x", 0, 0, b, 64).ok());
    IoBuffer in = IoBuffer::Allocate(64);
    auto n = c.ReadChunk("/bench/x", 0, 0, in, 64);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 64u);
    EXPECT_TRUE(c.Remove("/bench/x").ok());
    EXPECT_EQ(Counter(c, "chunk_files"), 0u);
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, NamespaceTest,
                         ::testing::Values(ChunkBackendKind::kUring, ChunkBackendKind::kMemory),
                         [](const auto& info) { return std::string(ChunkBackendName(info.param)); });

}  // namespace
}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// The file-system service end to end in one process: a server thread with an
// FsServer (both stores behind FsService), and FsClient calling it.
// Data written is read back identical (compared byte for byte), metadata
// operations behave, and store errors reach the client as statuses.
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "rpc/server_thread.h"
#include "service/fs_client.h"
#include "service/fs_server.h"
#include "tests/support/temp_dir.h"

namespace benchfs {
namespace {

class FsServiceTest : public ::testing::TestWithParam<ChunkBackendKind> {
 protected:
  // With a metadata log the metadata mutations wait for it (fiber handlers).
  virtual bool WithLog() const { return true; }
  void SetUp() override {
    dir_ = testing::MakeTempDir("fs");
    ASSERT_FALSE(dir_.empty());
    ServerThreadOptions so;
    so.setup = [this](RpcServer& srv, Executor& ex) {
      FsServerOptions fo;
      fo.chunks.backend = GetParam();
      fo.chunks.data_dir = dir_ + "/data";
      fo.chunks.chunk_size = 64 * 1024;
      fo.metadata.log_path = WithLog() ? dir_ + "/meta.log" : "";
      fo.metadata.durability = DurabilityPolicy::kNone;
      auto f = FsServer::Open(ex, srv, fo);
      ASSERT_TRUE(f.ok()) << f.status().ToString();
      fs_ = std::move(f.value());
    };
    so.teardown = [this] {
      if (fs_) {
        EXPECT_TRUE(fs_->Close().ok());
      }
      fs_.reset();
    };
    server_ = std::make_unique<ServerThread>(so);
    ASSERT_EQ(server_->error(), "");
    ex_ = std::move(Executor::Create({}).value());
    ASSERT_TRUE(ex_->EnableUcx({}).ok());
  }
  void TearDown() override {
    ex_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Runs fn with a client connected to the server.
  void WithClient(const std::function<void(FsClient&)>& fn) {
    ex_->Run([&] {
      ServerRef ref;
      ref.host = "127.0.0.1";
      ref.port = server_->port();
      auto c = FsClient::Connect(*ex_->ucx(), {ref}, {});
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      fn(**c);
    });
  }

  std::string dir_;
  std::unique_ptr<FsServer> fs_;  // made and destroyed on the server thread
  std::unique_ptr<ServerThread> server_;
  std::unique_ptr<Executor> ex_;
};

IoBuffer Pattern(size_t n, uint32_t seed) {
  IoBuffer b = IoBuffer::Allocate(n);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b.data()[i] = static_cast<std::byte>(x);
  }
  return b;
}

TEST_P(FsServiceTest, WriteThenReadBackIdenticalAcrossSizes) {
  WithClient([&](FsClient& c) {
    uint32_t seed = 1;
    for (size_t size : {size_t{1}, size_t{1024}, size_t{4096}, size_t{16384}, size_t{65536}}) {
      for (uint64_t offset : {uint64_t{0}, uint64_t{100}, uint64_t{65536} - size}) {
        if (offset + size > 65536) continue;
        const std::string path = "/f" + std::to_string(size) + "_" + std::to_string(offset);
        IoBuffer out = Pattern(size, ++seed);
        IoBuffer expect = Pattern(size, seed);
        ASSERT_TRUE(c.WriteChunk(path, 3, offset, out, size).ok()) << path;
        IoBuffer in = IoBuffer::Allocate(size);
        auto n = c.ReadChunk(path, 3, offset, in, size);
        ASSERT_TRUE(n.ok()) << n.status().ToString();
        ASSERT_EQ(*n, size);
        EXPECT_EQ(std::memcmp(in.data(), expect.data(), size), 0) << path;
      }
    }
    // A read past what was written is short; a chunk never written is NOT_FOUND.
    IoBuffer in = IoBuffer::Allocate(4096);
    auto missing = c.ReadChunk("/f1024_0", 9, 0, in, 4096);
    EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  });
}

TEST_P(FsServiceTest, MetadataOperations) {
  WithClient([&](FsClient& c) {
    auto created = c.Create("/dir/file", 0600);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(created->mode, 0600u);
    EXPECT_EQ(c.Create("/dir/file").status().code(), StatusCode::kAlreadyExists);
    auto st = c.Stat("/dir/file");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->id, created->id);
    auto grown = c.Update("/dir/file", InodeUpdate::Grow(1000));
    ASSERT_TRUE(grown.ok());
    EXPECT_EQ(grown->size, 1000u);
    EXPECT_EQ(c.Update("/dir/file", InodeUpdate::Grow(10))->size, 1000u);  // max(old, new)
    EXPECT_EQ(c.Update("/dir/file", InodeUpdate::Truncate(10))->size, 10u);
    EXPECT_TRUE(c.Delete("/dir/file").ok());
    EXPECT_EQ(c.Stat("/dir/file").status().code(), StatusCode::kNotFound);
    auto bad = c.Create("relative/path");
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(bad.status().message().empty());
    EXPECT_TRUE(c.Fsync("").ok());
  });
}

TEST_P(FsServiceTest, StatusReportsStoreFigures) {
  WithClient([&](FsClient& c) {
    ASSERT_TRUE(c.Create("/x").ok());
    auto kv = c.ServerStatus(0);
    ASSERT_TRUE(kv.ok());
    std::map<std::string, uint64_t> m(kv->begin(), kv->end());
    EXPECT_EQ(m["chunk_size"], 65536u);
    EXPECT_EQ(m["metadata_entries"], 1u);
    EXPECT_EQ(m["op.meta_create"], 1u);
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, FsServiceTest,
                         ::testing::Values(ChunkBackendKind::kUring, ChunkBackendKind::kPosix,
                                           ChunkBackendKind::kMemory),
                         [](const auto& info) { return std::string(ChunkBackendName(info.param)); });

// Without a metadata log: the metadata handlers (and reads from memory) run
// inline in the server's UCX callback and behave the same.
class FsServiceInlineTest : public FsServiceTest {
 protected:
  bool WithLog() const override { return false; }
};

TEST_P(FsServiceInlineTest, NonBlockingHandlersRunInlineAndBehaveTheSame) {
  auto mode = [&](Opcode op) { return server_->OnServer([op](RpcServer& s) { return s.mode(op); }); };
  EXPECT_EQ(mode(Opcode::kMetaStat), HandlerMode::kInline);
  EXPECT_EQ(mode(Opcode::kMetaCreate), HandlerMode::kInline);
  EXPECT_EQ(mode(Opcode::kMetaDelete), HandlerMode::kInline);
  EXPECT_EQ(mode(Opcode::kMetaUpdate), HandlerMode::kInline);
  EXPECT_EQ(mode(Opcode::kWriteChunk), HandlerMode::kFiber);
  EXPECT_EQ(mode(Opcode::kFsync), HandlerMode::kFiber);
  EXPECT_EQ(mode(Opcode::kReadChunk),
            GetParam() == ChunkBackendKind::kMemory ? HandlerMode::kInline : HandlerMode::kFiber);
  WithClient([&](FsClient& c) {
    auto created = c.Create("/inline/file", 0600);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_EQ(c.Create("/inline/file").status().code(), StatusCode::kAlreadyExists);
    auto st = c.Stat("/inline/file");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->id, created->id);
    EXPECT_EQ(c.Update("/inline/file", InodeUpdate::Grow(1000))->size, 1000u);
    EXPECT_EQ(c.Stat("/missing").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(c.Create("relative").status().code(), StatusCode::kInvalidArgument);
    for (size_t size : {size_t{64}, size_t{4096}, size_t{65536}}) {
      IoBuffer out = Pattern(size, static_cast<uint32_t>(size));
      IoBuffer expect = Pattern(size, static_cast<uint32_t>(size));
      ASSERT_TRUE(c.WriteChunk("/inline/file", 0, 0, out, size).ok());
      IoBuffer in = IoBuffer::Allocate(size);
      auto n = c.ReadChunk("/inline/file", 0, 0, in, size);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      ASSERT_EQ(*n, size);
      EXPECT_EQ(std::memcmp(in.data(), expect.data(), size), 0) << size;
    }
    IoBuffer in = IoBuffer::Allocate(64);
    EXPECT_EQ(c.ReadChunk("/inline/file", 7, 0, in, 64).status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(c.Delete("/inline/file").ok());
    EXPECT_EQ(c.Stat("/inline/file").status().code(), StatusCode::kNotFound);
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, FsServiceInlineTest,
                         ::testing::Values(ChunkBackendKind::kPosix, ChunkBackendKind::kMemory),
                         [](const auto& info) { return std::string(ChunkBackendName(info.param)); });

}  // namespace
}  // namespace benchfs

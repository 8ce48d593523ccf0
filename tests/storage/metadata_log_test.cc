// SPDX-License-Identifier: BSD-3-Clause
// The metadata log: state survives a reopen under every policy; a torn tail
// (the log truncated inside its last record) and a corrupt record are cut and
// reported while everything before them is kept; appends after a cut replay;
// a foreign file is refused.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "storage/file_id.h"
#include "storage/metadata_record.h"
#include "storage/metadata_store.h"
#include "tests/storage/storage_test_util.h"

namespace benchfs {
namespace {

using testing::MakeExecutor;
using testing::TempDir;

off_t FileSize(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 ? st.st_size : -1;
}

class MetadataLogTest : public ::testing::TestWithParam<DurabilityPolicy> {
 protected:
  void SetUp() override {
    ex_ = MakeExecutor();
    ASSERT_TRUE(ex_);
    ASSERT_FALSE(dir_.path().empty());
    opts_.log_path = dir_.path() + "/meta.log";
    opts_.durability = GetParam();
    opts_.group_interval = std::chrono::microseconds(200);
  }
  std::unique_ptr<MetadataStore> Open() {
    auto r = MetadataStore::Open(*ex_, opts_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r.value()) : nullptr;
  }
  TempDir dir_;
  MetadataStoreOptions opts_;
  std::unique_ptr<Executor> ex_;
};

TEST_P(MetadataLogTest, StateSurvivesReopen) {
  auto m = Open();
  ASSERT_TRUE(m);
  ex_->Run([&] {
    // Concurrent creators: their records share batches.
    std::vector<FiberHandle> hs;
    for (int f = 0; f < 8; ++f) {
      hs.push_back(ex_->Spawn([&, f] {
        for (int i = 0; i < 25; ++i) {
          auto r = m->Create("/d" + std::to_string(f) + "/f" + std::to_string(i), InodeType::kFile, 0600 + i);
          EXPECT_TRUE(r.ok()) << r.status().ToString();
        }
      }));
    }
    for (auto& h : hs) ex_->Join(h);
    ASSERT_TRUE(m->Update("/d0/f1", InodeUpdate::Grow(4096)).ok());
    ASSERT_TRUE(m->Update("/d0/f1", InodeUpdate::Truncate(100)).ok());
    ASSERT_TRUE(m->Delete("/d1/f0").ok());
    ASSERT_TRUE(m->Close().ok());
  });
  auto again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recovery().records, 203u);
  EXPECT_EQ(again->recovery().bytes_cut, 0u);
  EXPECT_EQ(again->size(), 199u);
  ex_->Run([&] {
    auto st = again->Stat("/d0/f1");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->size, 100u);
    EXPECT_EQ(st->mode, 0601u);
    EXPECT_EQ(again->Stat("/d1/f0").status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(again->Stat("/d7/f24").ok());
    ASSERT_TRUE(again->Close().ok());
  });
}

TEST_P(MetadataLogTest, TornTailIsCutAndEverythingBeforeKept) {
  auto m = Open();
  ASSERT_TRUE(m);
  ex_->Run([&] {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(m->Create("/f" + std::to_string(i), InodeType::kFile, 0644).ok());
    ASSERT_TRUE(m->Close().ok());
  });
  const off_t full = FileSize(opts_.log_path);
  ASSERT_EQ(::truncate(opts_.log_path.c_str(), full - 5), 0);  // inside the last record
  auto again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recovery().records, 9u);
  EXPECT_GT(again->recovery().bytes_cut, 0u);
  EXPECT_NE(again->recovery().cut_reason.find("torn"), std::string::npos) << again->recovery().cut_reason;
  EXPECT_EQ(FileSize(opts_.log_path), static_cast<off_t>(again->recovery().bytes_kept));
  ex_->Run([&] {
    for (int i = 0; i < 9; ++i) EXPECT_TRUE(again->Stat("/f" + std::to_string(i)).ok()) << i;
    EXPECT_EQ(again->Stat("/f9").status().code(), StatusCode::kNotFound);
    // Appends after the cut replay cleanly.
    ASSERT_TRUE(again->Create("/f9", InodeType::kFile, 0644).ok());
    ASSERT_TRUE(again->Create("/f10", InodeType::kFile, 0644).ok());
    ASSERT_TRUE(again->Close().ok());
  });
  auto third = Open();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->recovery().bytes_cut, 0u);
  EXPECT_EQ(third->size(), 11u);
}

TEST_P(MetadataLogTest, CorruptRecordIsCutThere) {
  auto m = Open();
  ASSERT_TRUE(m);
  ex_->Run([&] {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(m->Create("/f" + std::to_string(i), InodeType::kFile, 0644).ok());
    ASSERT_TRUE(m->Close().ok());
  });
  // Flip one byte inside the 6th record's path (records are equal-sized here).
  const off_t full = FileSize(opts_.log_path);
  const off_t rec = (full - 8) / 10;
  const off_t where = 8 + 5 * rec + rec - 1;
  {
    std::fstream f(opts_.log_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(where);
    char c;
    f.get(c);
    f.seekp(where);
    f.put(static_cast<char>(c ^ 0x20));
  }
  auto again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recovery().records, 5u);
  EXPECT_NE(again->recovery().cut_reason.find("CRC"), std::string::npos) << again->recovery().cut_reason;
  EXPECT_EQ(again->size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Policies, MetadataLogTest,
                         ::testing::Values(DurabilityPolicy::kNone, DurabilityPolicy::kFsync,
                                           DurabilityPolicy::kClose, DurabilityPolicy::kGroup),
                         [](const auto& info) { return std::string(DurabilityPolicyName(info.param)); });

TEST(MetadataLogFile, ForeignFileIsRefused) {
  TempDir dir;
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  const std::string path = dir.path() + "/not-a-log";
  { std::ofstream(path) << "hello, I am somebody's notes\n"; }
  MetadataStoreOptions o;
  o.log_path = path;
  auto r = MetadataStore::Open(*ex, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find(path), std::string::npos);
  EXPECT_EQ(FileSize(path), 29);  // untouched
}

// Records with a valid CRC that the store could never have written (found by
// the metadata_log fuzz target): the id 0, which no file has, a
// relative path. Replay refuses the log, names the record's offset and
// leaves the file alone - this is damage or foreign settings, not a torn tail.
TEST(MetadataLogFile, IntactButInvalidRecordIsRefusedNotCut) {
  for (const auto& [path, id] : std::vector<std::pair<std::string, uint64_t>>{
           {"/a", 0}, {"relative/path", 7}, {"/a/../b", 7}}) {
    TempDir dir;
    auto ex = MakeExecutor();
    ASSERT_TRUE(ex);
    const std::string log_path = dir.path() + "/meta.log";
    std::string log(kMetaLogMagic);
    Inode good;
    good.id = Xxh3FileId("/ok");
    EncodeMetaRecord(MetaRecordType::kPut, "/ok", good, &log);
    const size_t offset = log.size();
    Inode bad;
    bad.id = id;
    EncodeMetaRecord(MetaRecordType::kPut, path, bad, &log);
    { std::ofstream(log_path, std::ios::binary) << log; }
    MetadataStoreOptions o;
    o.log_path = log_path;
    auto r = MetadataStore::Open(*ex, o);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("offset " + std::to_string(offset)), std::string::npos)
        << r.status().message();
    EXPECT_EQ(FileSize(log_path), static_cast<off_t>(log.size())) << "the log must be left as it was";
  }
}

TEST(MetadataLogFile, UnwritableLogDirIsAStartUpError) {
  auto ex = MakeExecutor();
  ASSERT_TRUE(ex);
  MetadataStoreOptions o;
  o.log_path = "/proc/benchfs-no-such-dir/meta.log";
  auto r = MetadataStore::Open(*ex, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("log_path"), std::string::npos);
}

}  // namespace
}  // namespace benchfs

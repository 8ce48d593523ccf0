// SPDX-License-Identifier: BSD-3-Clause
// benchfs-fuzz-seeds OUTDIR: writes the seed corpus of the fuzz targets
// (OUTDIR/<target>/<name>) with BenchFS's own encoders - one well-formed
// example of every opcode's request and reply, metadata logs with and
// without damage, and configuration files. The committed corpus
// (tests/fuzz/corpus) is this program's output.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rpc/bootstrap.h"
#include "rpc/codec.h"
#include "rpc/hello.h"
#include "rpc/server.h"
#include "rpc/wire.h"
#include "service/knob_registry.h"
#include "service/ops.h"
#include "storage/file_id.h"
#include "storage/metadata_record.h"

namespace benchfs {
namespace {

// Writes seed files under one output directory.
class Corpus {
 public:
  explicit Corpus(std::string out) : out_(std::move(out)) {}
  void Save(const std::string& target, const std::string& name, const std::string& bytes) const {
    std::filesystem::create_directories(out_ + "/" + target);
    std::ofstream(out_ + "/" + target + "/" + name, std::ios::binary) << bytes;
  }

 private:
  std::string out_;
};

std::string Message(Opcode op, bool reply, StatusCode status, const std::vector<std::byte>& op_header,
                    const std::string& payload, uint16_t sys_errno = 0) {
  WireHeader h;
  h.sys_errno = sys_errno;
  h.opcode = static_cast<uint8_t>(op);
  h.flags = reply ? kWireFlagReply : 0;
  h.correlation_id = 0x0000000700000003ull;
  h.status = status;
  h.header_len = static_cast<uint32_t>(op_header.size());
  h.payload_len = static_cast<uint32_t>(payload.size());
  std::string out(kWireHeaderSize, '\0');
  EncodeHeader(h, reinterpret_cast<std::byte*>(out.data()));
  out.append(reinterpret_cast<const char*>(op_header.data()), op_header.size());
  return out + payload;
}

std::vector<std::byte> Text(const std::string& s) {
  return std::vector<std::byte>(reinterpret_cast<const std::byte*>(s.data()),
                                reinterpret_cast<const std::byte*>(s.data()) + s.size());
}

void WireSeeds(const Corpus& corpus) {
  Inode inode;
  inode.id = Xxh3FileId("/a/b");
  inode.type = InodeType::kFile;
  inode.size = 4096;
  inode.mode = 0644;
  inode.ctime_ns = 1700000000000000000;
  inode.mtime_ns = 1700000000000000001;
  const std::string data(64, 'x');
  const auto ok = StatusCode::kOk;
  corpus.Save("wire", "ping_request", Message(Opcode::kPing, false, ok, {}, data));
  corpus.Save("wire", "ping_reply", Message(Opcode::kPing, true, ok, {}, data));
  corpus.Save("wire", "status_request", Message(Opcode::kStatus, false, ok, {}, ""));
  const std::vector<std::byte> counters = EncodeCounters({{"received", 10}, {"op.ping", 3}, {"rss_bytes", 1 << 24}});
  corpus.Save("wire", "status_reply",
       Message(Opcode::kStatus, true, ok, {}, std::string(reinterpret_cast<const char*>(counters.data()), counters.size())));
  corpus.Save("wire", "write_request", Message(Opcode::kWriteChunk, false, ok, EncodeChunkRef({"/a/b", 2, 512}), data));
  corpus.Save("wire", "write_reply", Message(Opcode::kWriteChunk, true, ok, EncodeCount(64), ""));
  corpus.Save("wire", "read_request", Message(Opcode::kReadChunk, false, ok, EncodeReadChunk({{"/a/b", 0, 0}, 4096}), ""));
  corpus.Save("wire", "read_reply", Message(Opcode::kReadChunk, true, ok, EncodeCount(64), data));
  corpus.Save("wire", "create_request", Message(Opcode::kMetaCreate, false, ok, EncodeCreate({"/a/b", InodeType::kFile, 0644}), ""));
  corpus.Save("wire", "create_reply", Message(Opcode::kMetaCreate, true, ok, EncodeInode(inode), ""));
  corpus.Save("wire", "stat_request", Message(Opcode::kMetaStat, false, ok, EncodePath("/a/b"), ""));
  corpus.Save("wire", "stat_reply", Message(Opcode::kMetaStat, true, ok, EncodeInode(inode), ""));
  corpus.Save("wire", "delete_request", Message(Opcode::kMetaDelete, false, ok, EncodePath("/a/b"), ""));
  corpus.Save("wire", "delete_reply", Message(Opcode::kMetaDelete, true, ok, {}, ""));
  UpdateArgs up{"/a/b", InodeUpdate::Grow(8192)};
  up.update.mode = 0600;
  corpus.Save("wire", "update_request", Message(Opcode::kMetaUpdate, false, ok, EncodeUpdate(up), ""));
  corpus.Save("wire", "update_reply", Message(Opcode::kMetaUpdate, true, ok, EncodeInode(inode), ""));
  corpus.Save("wire", "fsync_request", Message(Opcode::kFsync, false, ok, EncodePath(""), ""));
  corpus.Save("wire", "fsync_reply", Message(Opcode::kFsync, true, ok, {}, ""));
  corpus.Save("wire", "floor_request", Message(Opcode::kFloor, false, ok, EncodeFloor({FloorKind::kData, 4096, 200, 16}), ""));
  corpus.Save("wire", "floor_reply", Message(Opcode::kFloor, true, ok, EncodeFloorFigures({9000, 20000, 3000, 7000}), ""));
  corpus.Save("wire", "remove_request", Message(Opcode::kRemove, false, ok, EncodeRemove({"/bench/", true, true}), ""));
  corpus.Save("wire", "remove_reply", Message(Opcode::kRemove, true, ok, EncodeRemoveCounts({3, 4}), ""));
  corpus.Save("wire", "shutdown_request", Message(Opcode::kShutdown, false, ok, {}, ""));
  corpus.Save("wire", "shutdown_reply", Message(Opcode::kShutdown, true, ok, {}, ""));
  corpus.Save("wire", "hello_request", Message(Opcode::kHello, false, ok, EncodeHello({"s3cret", Text(std::string(120, 'w'))}), ""));
  corpus.Save("wire", "hello_reply", Message(Opcode::kHello, true, ok, {}, ""));
  corpus.Save("wire", "rename_request", Message(Opcode::kMetaRename, false, ok, EncodeRename({"/a/b", "/a/c"}), ""));
  Inode dir = inode;
  dir.type = InodeType::kDirectory;
  corpus.Save("wire", "rename_reply", Message(Opcode::kMetaRename, true, ok, EncodeMove({inode, dir}), ""));
  corpus.Save("wire", "put_request", Message(Opcode::kMetaPut, false, ok, EncodePut({"/a/c", inode}), ""));
  corpus.Save("wire", "put_reply", Message(Opcode::kMetaPut, true, ok, EncodeMove({inode, std::nullopt}), ""));
  corpus.Save("wire", "unlink_request",
              Message(Opcode::kMetaUnlink, false, ok, EncodeUnlink({"/a/b", UnlinkKind::kFile, inode.id}), ""));
  corpus.Save("wire", "unlink_reply", Message(Opcode::kMetaUnlink, true, ok, EncodeInode(inode), ""));
  corpus.Save("wire", "readdir_request", Message(Opcode::kReaddir, false, ok, EncodeReaddir({"/a", "b", 100}), ""));
  ChildPage page;
  page.entries = {{"b", inode}, {"d", dir}};
  page.more = true;
  corpus.Save("wire", "readdir_reply", Message(Opcode::kReaddir, true, ok, EncodeChildPage(page), ""));
  corpus.Save("wire", "statfs_request", Message(Opcode::kStatFs, false, ok, {}, ""));
  corpus.Save("wire", "statfs_reply",
              Message(Opcode::kStatFs, true, ok, EncodeFsStats({1ull << 40, 1ull << 39, 1000, 1 << 20}), ""));
  corpus.Save("wire", "truncate_request",
              Message(Opcode::kTruncateChunks, false, ok, EncodeTruncateChunks({"/.benchfs-id/00000000000000ff", 5000}), ""));
  corpus.Save("wire", "truncate_reply", Message(Opcode::kTruncateChunks, true, ok, {}, ""));
  corpus.Save("wire", "ns_epoch_request", Message(Opcode::kNsEpoch, false, ok, EncodeNsEpoch(true), ""));
  corpus.Save("wire", "ns_epoch_reply", Message(Opcode::kNsEpoch, true, ok, EncodeEpoch(0x1234567890abcdefull), ""));
  corpus.Save("wire", "error_reply",
       Message(Opcode::kMetaStat, true, StatusCode::kNotFound, Text("'/a/b' does not exist"), "", 2));
  corpus.Save("wire", "enotempty_reply",
       Message(Opcode::kMetaUnlink, true, StatusCode::kAlreadyExists, Text("'/a' is not empty"), "", 39));
  corpus.Save("wire", "busy_reply",
       Message(Opcode::kWriteChunk, true, StatusCode::kBusy, Text("server busy: 64 requests in flight"), ""));
  std::string truncated = Message(Opcode::kReadChunk, false, ok, EncodeReadChunk({{"/a/b", 0, 0}, 4096}), "");
  truncated.resize(40);
  corpus.Save("wire", "truncated_request", truncated);
}

void LogSeeds(const Corpus& corpus) {
  Inode a;
  a.id = Xxh3FileId("/a");
  a.type = InodeType::kDirectory;
  a.mode = 0755;
  Inode b;
  b.id = Xxh3FileId("/a/b");
  b.type = InodeType::kFile;
  b.size = 12345;
  b.mode = 0644;
  std::string log(kMetaLogMagic);
  EncodeMetaRecord(MetaRecordType::kPut, "/a", a, &log);
  EncodeMetaRecord(MetaRecordType::kPut, "/a/b", b, &log);
  b.size = 99999;
  EncodeMetaRecord(MetaRecordType::kPut, "/a/b", b, &log);
  Inode c;
  c.id = Xxh3FileId("/a/c");
  c.type = InodeType::kFile;
  EncodeMetaRecord(MetaRecordType::kPut, "/a/c", c, &log);
  EncodeMetaRecord(MetaRecordType::kDelete, "/a/c", c, &log);
  // The first byte selects the mode: even = as is, odd = CRCs fixed up first.
  corpus.Save("metadata_log", "valid", std::string(1, '\0') + log);
  corpus.Save("metadata_log", "valid_fixcrc", std::string(1, '\1') + log);
  corpus.Save("metadata_log", "torn_tail", std::string(1, '\0') + log.substr(0, log.size() - 7));
  std::string flipped = log;
  flipped[kMetaLogMagic.size() + 20] ^= 0x40;
  corpus.Save("metadata_log", "bad_crc", std::string(1, '\0') + flipped);
  corpus.Save("metadata_log", "header_only", std::string(1, '\0') + std::string(kMetaLogMagic));
  corpus.Save("metadata_log", "torn_header", std::string(1, '\0') + std::string(kMetaLogMagic.substr(0, 5)));
  corpus.Save("metadata_log", "foreign", std::string(1, '\0') + "#!/bin/sh\necho not a log\n");
}

void ConfigSeeds(const Corpus& corpus) {
  DaemonConfig config;
  Knobs knobs;
  AddDaemonKnobs(knobs, &config);
  corpus.Save("config", "print_config.toml", knobs.PrintToml());
  corpus.Save("config", "typical.toml",
       "[server]\n"
       "listen = \"127.0.0.1:7100\"\n"
       "max_inflight = 64\n"
       "drain_timeout = \"5s\"\n"
       "\n"
       "[storage]\n"
       "data_dir = \"/scratch/benchfsd\"\n"
       "durability = \"group\"\n"
       "group_interval = \"250us\"\n"
       "chunk_size = \"1MiB\"\n"
       "direct_io = true\n"
       "\n"
       "[reactor]\n"
       "submit_timeout = \"10us\"\n"
       "complete_timeout = \"1ms\"\n"
       "ring_entries = 1024\n");
  corpus.Save("config", "dotted.toml", "server.max_inflight = 8\nucx.tls = \"tcp\"\nstorage.backend = \"memory\"\n");
  corpus.Save("config", "bad_key.toml", "[server]\nlisen = \"127.0.0.1:1\"\n");
  corpus.Save("config", "bad_value.toml", "[storage]\nchunk_size = \"3KiB\"\n");
  corpus.Save("config", "escapes.toml", "[server]\nregistry_name = \"a\\\"b\\\\c\\u0001\"\n");
}

}  // namespace
}  // namespace benchfs

namespace benchfs {

// The first byte picks the decoder: 0 request, 1 reply (bootstrap_target.cc).
void BootstrapSeeds(const Corpus& corpus) {
  auto save = [&](const std::string& name, char kind, const std::vector<std::byte>& frame) {
    corpus.Save("bootstrap", name, std::string(1, kind) + std::string(reinterpret_cast<const char*>(frame.data()), frame.size()));
  };
  save("request_no_token", 0, EncodeBootstrapRequest(""));
  save("request_token", 0, EncodeBootstrapRequest("s3cret-token"));
  save("reply_address", 1, EncodeBootstrapReply(Status(), Text(std::string(180, 'a'))));
  save("reply_denied", 1, EncodeBootstrapReply(Status::PermissionDenied("wrong token"), {}));
  std::vector<std::byte> ucx_abort(64, std::byte{0});
  for (int i = 0; i < 8; ++i) ucx_abort[i] = std::byte{0xff};
  save("ucx_listener_abort", 0, ucx_abort);
}

}  // namespace benchfs

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: benchfs-fuzz-seeds OUTDIR\n");
    return 2;
  }
  const benchfs::Corpus corpus(argv[1]);
  benchfs::WireSeeds(corpus);
  benchfs::LogSeeds(corpus);
  benchfs::ConfigSeeds(corpus);
  benchfs::BootstrapSeeds(corpus);
  return 0;
}

// SPDX-License-Identifier: BSD-3-Clause
// FsClient's namespace calls: POSIX rules on top of the per-server stores
// (docs/namespace.md), and chunk I/O by inode id.
#include <cerrno>
#include <charconv>

#include "service/fs_client.h"
#include "storage/file_id.h"
#include "storage/path_name.h"

namespace benchfs {
namespace {

constexpr std::string_view kChunkNamePrefix = "/.benchfs-id/";

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status Errno(StatusCode code, int err, const std::string& msg) { return Status(code, msg, err); }

}  // namespace

std::string ChunkNameOf(uint64_t file_id) { return std::string(kChunkNamePrefix) + FileIdHex(file_id); }

Result<MoveResult> FsClient::MoveCall(uint32_t server, Opcode op, const std::vector<std::byte>& header) {
  auto r = Call(server, op, header);
  if (!r.ok()) return r.status();
  return DecodeMove(r->header);
}

Result<Inode> FsClient::UnlinkCall(const std::string& path, UnlinkKind kind, uint64_t expect_id) {
  return InodeCall(placement_.MetadataOwner(path), Opcode::kMetaUnlink, EncodeUnlink({path, kind, expect_id}));
}

Status FsClient::CheckParent(const std::string& path) {
  const std::string parent = ParentOf(path);
  if (parent == "/") return Status();  // the root always exists
  auto st = Stat(parent);
  if (!st.ok()) {
    if (st.status().code() == StatusCode::kNotFound) {
      return Errno(StatusCode::kNotFound, ENOENT, "'" + path + "': its parent directory '" + parent + "' does not exist");
    }
    return st.status();
  }
  if (st->type != InodeType::kDirectory) {
    return Errno(StatusCode::kInvalidArgument, ENOTDIR, "'" + path + "': its parent '" + parent + "' is not a directory");
  }
  return Status();
}

Result<bool> FsClient::HasChildren(const std::string& dir) {
  for (uint32_t i = 0; i < servers(); ++i) {
    auto r = Call(i, Opcode::kReaddir, EncodeReaddir({dir, "", 1}));
    if (!r.ok()) return r.status();
    auto page = DecodeChildPage(r->header);
    if (!page.ok()) return page.status();
    if (!page->entries.empty()) return true;
  }
  return false;
}

Result<Inode> FsClient::CreateChecked(const std::string& path, uint32_t mode, InodeType type) {
  Status s = ValidatePath(path);
  if (!s.ok()) return s;
  if (path == "/") return Errno(StatusCode::kAlreadyExists, EEXIST, "create '/': it already exists");
  const std::string parent = ParentOf(path);
  if (parent == "/") return Create(path, mode, type);  // the root always exists
  const uint32_t owner = placement_.MetadataOwner(path);
  // A refused create means a directory was removed meanwhile; each retry
  // checks the parent again, so only removals that keep coming exhaust them.
  constexpr int kAttempts = 16;
  for (int attempt = 1;; ++attempt) {
    uint64_t epoch = parents_.epoch(owner);
    bool known = false;
    if (epoch == 0) {
      auto e = NsEpoch(owner, false);
      if (!e.ok()) return e.status();
      epoch = *e;
      parents_.SetEpoch(owner, epoch);
    } else {
      known = parents_.Knows(owner, parent);
    }
    if (!known) {
      s = CheckParent(path);
      if (!s.ok()) return s;
      parents_.Add(owner, parent, epoch);
    }
    auto r = InodeCall(owner, Opcode::kMetaCreate, EncodeCreate({path, type, mode, epoch}));
    if (r.ok() || r.status().sys_errno() != ESTALE || attempt == kAttempts) return r;
    parents_.Forget(owner, epoch);
  }
}

Result<uint64_t> FsClient::NsEpoch(uint32_t server, bool bump) {
  auto r = Call(server, Opcode::kNsEpoch, EncodeNsEpoch(bump));
  if (!r.ok()) return r.status();
  return DecodeEpoch(r->header);
}

Status FsClient::BumpEpochs() {
  for (uint32_t i = 0; i < servers(); ++i) {
    auto e = NsEpoch(i, true);
    if (!e.ok()) return e.status();
    parents_.SetEpoch(i, *e);
  }
  return Status();
}

Result<Inode> FsClient::Mkdir(const std::string& path, uint32_t mode) {
  return CreateChecked(path, mode, InodeType::kDirectory);
}

Result<Inode> FsClient::CreateFile(const std::string& path, uint32_t mode) {
  return CreateChecked(path, mode, InodeType::kFile);
}

Status FsClient::Rmdir(const std::string& path) {
  Status s = ValidatePath(path);
  if (!s.ok()) return s;
  if (path == "/") return Errno(StatusCode::kBusy, EBUSY, "rmdir '/': the root cannot be removed");
  auto st = Stat(path);
  if (!st.ok()) return st.status();
  if (st->type != InodeType::kDirectory) {
    return Errno(StatusCode::kInvalidArgument, ENOTDIR, "rmdir '" + path + "': it is not a directory");
  }
  auto busy = HasChildren(path);
  if (!busy.ok()) return busy.status();
  if (*busy) return Errno(StatusCode::kAlreadyExists, ENOTEMPTY, "rmdir '" + path + "': the directory is not empty");
  s = BumpEpochs();
  if (!s.ok()) return s;
  s = UnlinkCall(path, UnlinkKind::kDirectory, st->id).status();
  // Also after: a client that learned an epoch between the first bump and
  // the removal may have checked this directory under it. The directory is
  // gone either way, so a server missed here is not the caller's error.
  BumpEpochs().IgnoreError();
  return s;
}

Status FsClient::Unlink(const std::string& path) {
  Status s = ValidatePath(path);
  if (!s.ok()) return s;
  auto r = Call(placement_.MetadataOwner(path), Opcode::kMetaUnlink, EncodeUnlink({path, UnlinkKind::kFile, 0}));
  if (!r.ok()) return r.status();
  // A file of size 0 has no chunks (a writer records a size before it writes
  // the first chunk of a file, WriteChunkOf; truncate to 0 cuts them): the
  // server then answers with no inode.
  if (r->header.empty()) return Status();
  auto gone = DecodeInode(r->header);
  if (!gone.ok()) return gone.status();
  if (gone->size == 0) return Status();
  return RemoveChunksOf(gone->id, gone->size);
}

Status FsClient::Rename(const std::string& from, const std::string& to) {
  Status s = ValidatePath(from);
  if (!s.ok()) return s;
  s = ValidatePath(to);
  if (!s.ok()) return s;
  if (from == "/" || to == "/") return Errno(StatusCode::kBusy, EBUSY, "rename: '/' cannot be renamed or replaced");
  if (to.size() > from.size() && to.compare(0, from.size(), from) == 0 && to[from.size()] == '/') {
    return Errno(StatusCode::kInvalidArgument, EINVAL, "rename '" + from + "' to '" + to + "': a directory cannot move into itself");
  }
  auto src = Stat(from);
  if (!src.ok()) return src.status();
  if (from == to) return Status();
  s = CheckParent(to);
  if (!s.ok()) return s;
  auto dst = Stat(to);
  if (!dst.ok() && dst.status().code() != StatusCode::kNotFound) return dst.status();
  if (dst.ok()) {
    if (src->type == InodeType::kDirectory && dst->type != InodeType::kDirectory) {
      return Errno(StatusCode::kInvalidArgument, ENOTDIR, "rename '" + from + "' to '" + to + "': a directory cannot replace a file");
    }
    if (src->type != InodeType::kDirectory && dst->type == InodeType::kDirectory) {
      return Errno(StatusCode::kInvalidArgument, EISDIR, "rename '" + from + "' to '" + to + "': a file cannot replace a directory");
    }
    if (dst->type == InodeType::kDirectory) {
      auto busy = HasChildren(to);
      if (!busy.ok()) return busy.status();
      if (*busy) return Errno(StatusCode::kAlreadyExists, ENOTEMPTY, "rename to '" + to + "': the directory is not empty");
    }
  }
  if (src->type == InodeType::kDirectory) {
    auto busy = HasChildren(from);
    if (!busy.ok()) return busy.status();
    if (*busy) {
      return Errno(StatusCode::kInvalidArgument, EXDEV, "rename '" + from + "': a non-empty directory cannot be renamed (its entries are keyed by their full paths); copy it instead");
    }
  }
  if (src->type != InodeType::kDirectory) return MoveEntry(from, to, *src);
  // A directory leaves its old name: as for rmdir, epochs move around it.
  s = BumpEpochs();
  if (!s.ok()) return s;
  s = MoveEntry(from, to, *src);
  BumpEpochs().IgnoreError();
  return s;
}

Status FsClient::MoveEntry(const std::string& from, const std::string& to, const Inode& src) {
  const uint32_t old_owner = placement_.MetadataOwner(from);
  const uint32_t new_owner = placement_.MetadataOwner(to);
  Result<MoveResult> moved = Status::Internal("rename: not moved");
  if (old_owner == new_owner) {
    moved = MoveCall(old_owner, Opcode::kMetaRename, EncodeRename({from, to}));
    if (!moved.ok()) return moved.status();
  } else {
    // Create at the new owner, then delete at the old: a crash in between
    // leaves both names on one inode, never neither.
    moved = MoveCall(new_owner, Opcode::kMetaPut, EncodePut({to, src}));
    if (!moved.ok()) return moved.status();
    auto removed = UnlinkCall(from, UnlinkKind::kAny, src.id);
    if (!removed.ok()) {
      if (removed.status().code() == StatusCode::kNotFound) {
        // Unlinked or replaced meanwhile by another client: the rename lost
        // the race. Undo the copy, and put back what it replaced.
        // Best effort: the ENOENT returned below is the answer either way.
        UnlinkCall(to, UnlinkKind::kAny, src.id).status().IgnoreError();
        if (moved->replaced) {
          MoveCall(new_owner, Opcode::kMetaPut, EncodePut({to, *moved->replaced})).status().IgnoreError();
        }
      }
      return removed.status();
    }
    if (removed->type == InodeType::kFile && removed->size != src.size) {
      // Written meanwhile: the old record's size is the newer one.
      auto fixed = Update(to, InodeUpdate::Truncate(removed->size));
      if (!fixed.ok()) return fixed.status();
    }
  }
  if (moved->replaced && moved->replaced->type == InodeType::kFile) {
    return RemoveChunksOf(moved->replaced->id, moved->replaced->size);
  }
  return Status();
}

Result<DirPage> FsClient::Readdir(const std::string& dir, const std::string& cursor, size_t limit) {
  Status s = ValidatePath(dir);
  if (!s.ok()) return s;
  uint32_t server = 0;
  std::string after;
  if (cursor.empty()) {
    auto st = Stat(dir);
    if (!st.ok()) return st.status();
    if (st->type != InodeType::kDirectory) {
      return Errno(StatusCode::kInvalidArgument, ENOTDIR, "readdir '" + dir + "': it is not a directory");
    }
  } else {
    // "<server>/<name to start after>"
    const size_t slash = cursor.find('/');
    auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + (slash == std::string::npos ? 0 : slash), server);
    if (slash == std::string::npos || ec != std::errc() || end != cursor.data() + slash || server >= servers()) {
      return Errno(StatusCode::kInvalidArgument, EINVAL, "readdir '" + dir + "': cursor '" + cursor + "' was not made by Readdir");
    }
    after = cursor.substr(slash + 1);
  }
  const uint32_t want = static_cast<uint32_t>(std::min<size_t>(limit, UINT32_MAX));
  DirPage page;
  for (; server < servers(); ++server, after.clear()) {
    auto r = Call(server, Opcode::kReaddir, EncodeReaddir({dir, after, want}));
    if (!r.ok()) return r.status();
    auto got = DecodeChildPage(r->header);
    if (!got.ok()) return got.status();
    if (got->more && got->entries.empty()) {
      return Status::ProtocolError("readdir '" + dir + "': " + this->server(server).ToString() + " said more follows but sent nothing");
    }
    for (ChildEntry& e : got->entries) page.entries.push_back({std::move(e.name), e.inode});
    if (got->more && !page.entries.empty()) {
      page.next = std::to_string(server) + "/" + page.entries.back().name;
      return page;
    }
    if (!page.entries.empty()) {
      if (server + 1 < servers()) page.next = std::to_string(server + 1) + "/";
      return page;
    }
  }
  return page;
}

Result<Inode> FsClient::Truncate(const std::string& path, uint64_t size) {
  Status s = ValidatePath(path);
  if (!s.ok()) return s;
  auto before = Stat(path);
  if (!before.ok()) return before.status();
  auto after = Update(path, InodeUpdate::Truncate(size));
  if (!after.ok()) return after.status();
  if (size < before->size) {
    // Cut the chunks past the new end, wherever they are.
    const std::string name = ChunkNameOf(after->id);
    for (uint32_t i = 0; i < servers(); ++i) {
      auto r = Call(i, Opcode::kTruncateChunks, EncodeTruncateChunks({name, size}));
      if (!r.ok()) return r.status();
    }
  }
  return after;
}

Result<FsTotals> FsClient::StatFs() {
  FsTotals t;
  t.servers = servers();
  for (uint32_t i = 0; i < servers(); ++i) {
    auto r = Call(i, Opcode::kStatFs, {});
    if (!r.ok()) return r.status();
    auto f = DecodeFsStats(r->header);
    if (!f.ok()) return f.status();
    if (i > 0 && f->chunk_size != t.chunk_size) {
      return Errno(StatusCode::kInvalidArgument, EINVAL,
                   "statfs: " + server(i).ToString() + " has chunk size " + std::to_string(f->chunk_size) + ", " +
                       server(0).ToString() + " has " + std::to_string(t.chunk_size));
    }
    t.chunk_size = f->chunk_size;
    t.total_bytes += f->total_bytes;
    t.free_bytes += f->free_bytes;
    t.files += f->files;
  }
  chunk_size_ = t.chunk_size;
  return t;
}

Status FsClient::WriteChunkOf(uint64_t file_id, uint64_t index, uint64_t offset, IoBuffer& data, size_t len) {
  const std::string name = ChunkNameOf(file_id);
  auto r = Call(placement_.ChunkOwnerOfId(file_id, index), Opcode::kWriteChunk, EncodeChunkRef({name, index, offset}),
                &data, len);
  if (!r.ok()) return r.status();
  auto n = DecodeCount(r->header, "write_chunk reply");
  if (!n.ok()) return n.status();
  if (*n != len) {
    return Status::IoError("write of " + std::to_string(len) + " bytes to file " + FileIdHex(file_id) + " stored " +
                           std::to_string(*n), EIO);
  }
  return Status();
}

Result<size_t> FsClient::ReadChunkOf(uint64_t file_id, uint64_t index, uint64_t offset, IoBuffer& buf, size_t len) {
  if (len > buf.size()) {
    return Status::InvalidArgument("read of " + std::to_string(len) + " bytes into a " + std::to_string(buf.size()) +
                                   "-byte buffer", EINVAL);
  }
  auto r = Call(placement_.ChunkOwnerOfId(file_id, index), Opcode::kReadChunk,
                EncodeReadChunk({{ChunkNameOf(file_id), index, offset}, static_cast<uint32_t>(len)}), nullptr, 0, &buf);
  if (!r.ok()) return r.status();
  if (r->payload_len > len) {
    return Status::ProtocolError("read reply of " + std::to_string(r->payload_len) + " bytes for a read of " +
                                 std::to_string(len));
  }
  return r->payload_len;
}

Status FsClient::RemoveChunksOf(uint64_t file_id, uint64_t size) {
  const std::string name = ChunkNameOf(file_id);
  uint64_t ask = servers();
  if (chunk_size_ > 0) ask = std::min<uint64_t>(ask, std::max<uint64_t>(1, (size + chunk_size_ - 1) / chunk_size_));
  for (uint64_t i = 0; i < ask; ++i) {
    const uint32_t srv = placement_.ChunkOwnerOfId(file_id, i);
    auto r = Call(srv, Opcode::kRemove, EncodeRemove({name, false, false}));
    if (!r.ok()) {
      const Status& st = r.status();
      return Status(st.code(), "removing the chunks of file " + FileIdHex(file_id) + " on " + server(srv).ToString() +
                                   ": " + st.message(), st.sys_errno());
    }
  }
  return Status();
}

Status FsClient::FsyncOf(uint64_t file_id) { return Fsync(ChunkNameOf(file_id)); }

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// FileRef and FixedFile: how an operation names its file. A FileRef is a
// plain fd or an index in the ring's registered-file table; a FixedFile owns
// one entry of that table and frees it on destruction. Neither needs liburing,
// so code that only passes files around (the posix file backend) does not
// depend on it.
#pragma once

namespace benchfs {

class UringReactor;
class FixedFile;

// A file for an operation: a plain fd, or an index in the registered table.
struct FileRef {
  FileRef(int fd) : index(fd), fixed(false) {}  // NOLINT: implicit by design
  FileRef(const FixedFile& f);                 // NOLINT: implicit by design
  int index;
  bool fixed;
};

// A registered-file table entry; unregisters on destruction. The reactor that
// registered it (UringReactor::RegisterFile) must outlive it.
class FixedFile {
 public:
  FixedFile() = default;
  FixedFile(FixedFile&& o) noexcept;
  FixedFile& operator=(FixedFile&& o) noexcept;
  ~FixedFile();
  int index() const { return index_; }
  bool valid() const { return index_ >= 0; }

 private:
  friend class UringReactor;
  FixedFile(UringReactor* r, int index) : reactor_(r), index_(index) {}
  UringReactor* reactor_ = nullptr;
  int index_ = -1;
};

inline FileRef::FileRef(const FixedFile& f) : index(f.index()), fixed(true) {}

}  // namespace benchfs

// SPDX-License-Identifier: BSD-3-Clause
// Context: what benchfs_init opens - an executor with its UCX worker, an
// FsClient connected to every server, the files open through it, and the
// Driver that decides which thread drives the executor for each call.
//
// Run() runs a closure as a fiber on the executor: on the caller's own
// thread when no other thread is driving it, else handed to the one that is
// (libbenchfs/driver.h). Several callers may be inside at once; each call is
// its own fiber. Everything the fibers share (FsClient, the open file table,
// every File's state) is touched only by the thread driving the executor.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "libbenchfs/completion.h"
#include "libbenchfs/driver.h"
#include "runtime/executor.h"
#include "service/fs_client.h"

namespace benchfs::capi {

class File;

struct ContextOptions {
  std::vector<ServerRef> servers;
  uint64_t chunk_size = 0;  // 0: the servers' own
  std::string ucx_tls;
  Duration call_timeout = std::chrono::seconds(5);
};

class Context {
 public:
  // Builds the executor, starts the library's thread, connects and reads
  // every server's chunk size.
  static Result<std::unique_ptr<Context>> Open(const ContextOptions& options);
  // Closes the files still open (their sizes are pushed), disconnects, joins
  // the library's thread and destroys the executor.
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Caller thread: runs fn() in a fiber on the executor and returns what it
  // returns; an exception fn throws is rethrown here.
  template <typename Fn>
  std::invoke_result_t<Fn&> Run(Fn&& fn) {
    using R = std::invoke_result_t<Fn&>;
    struct Call {
      Fn& fn;
      std::optional<R> result;
      std::exception_ptr error;
      Completion done;
    } call{fn, {}, {}, {}};
    // One pointer captured: the closure fits std::function without an allocation.
    driver_->Call(
        [c = &call] {
          try {
            c->result.emplace(c->fn());
          } catch (...) {
            c->error = std::current_exception();
          }
          c->done.Signal();
        },
        call.done);
    if (call.error) std::rethrow_exception(call.error);
    return std::move(*call.result);
  }

  // Caller thread: fn() on this thread when it may drive the executor and
  // fn needs no wait (Driver::TryInline); false: use Run.
  template <typename Fn>
  bool TryInline(Fn&& fn) {
    return driver_->TryInline(std::forward<Fn>(fn));
  }

  const Driver& driver() const { return *driver_; }

  // --- Inside Run (the thread driving the executor) ---
  Executor& executor() { return *ex_; }
  FsClient& client() { return *client_; }
  uint64_t chunk_size() const { return chunk_size_; }
  // The open file table: pushes of a path's pending size go through it.
  void AddFile(File* f);
  void RemoveFile(File* f);
  // Files open through this context on `path` (none: no allocation).
  std::vector<File*> FilesOf(const std::string& path) const;
  // After a rename of `from` to `to`: handles of `from`, or of a path under
  // it, are filed (and push their sizes) under the new name.
  void RenameFiles(const std::string& from, const std::string& to);
  // Every open file (finalize closes them).
  std::vector<File*> AllFiles() const;

 private:
  Context() = default;
  Status Connect(const ContextOptions& options);

  std::unique_ptr<Executor> ex_;
  std::unique_ptr<Driver> driver_;
  std::unique_ptr<FsClient> client_;
  uint64_t chunk_size_ = 0;
  // Keyed by a view of each File's own path (AddFile after set_path).
  std::unordered_multimap<std::string_view, File*> files_;
};

}  // namespace benchfs::capi

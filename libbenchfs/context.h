// SPDX-License-Identifier: BSD-3-Clause
// Context: what benchfs_init opens - one executor thread with its UCX worker,
// an FsClient connected to every server, and the files open through it.
//
// Caller threads never touch the executor's state: Run() hands a closure to
// the executor thread (Executor::Post, which wakes a parked executor through
// its eventfd), the closure runs there as a fiber, and the caller blocks on a
// Completion until it has returned. Several callers may wait at once; each
// call is its own fiber. Everything the fibers share (FsClient, the open
// file table, every File's state) is touched on the executor thread only.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "libbenchfs/completion.h"
#include "runtime/event.h"
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
  // Starts the executor thread, connects and reads every server's chunk size.
  static Result<std::unique_ptr<Context>> Open(const ContextOptions& options);
  // Closes the files still open (their sizes are pushed), disconnects and
  // joins the executor thread.
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Caller thread: runs fn() in a fiber on the executor thread and returns
  // what it returns; an exception fn throws is rethrown here.
  template <typename Fn>
  std::invoke_result_t<Fn&> Run(Fn&& fn) {
    using R = std::invoke_result_t<Fn&>;
    std::optional<R> result;
    std::exception_ptr error;
    Completion done;
    Submit([&] {
      try {
        result.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
      done.Signal();
    });
    done.Wait();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }

  // --- Executor thread (inside Run) ---
  Executor& executor() { return *ex_; }
  FsClient& client() { return *client_; }
  uint64_t chunk_size() const { return chunk_size_; }
  // The open file table: pushes of a path's pending size go through it.
  void AddFile(File* f);
  void RemoveFile(File* f);
  // Files open through this context on `path`.
  const std::vector<File*>* FilesOf(const std::string& path) const;
  // After a rename of `from` to `to`: handles of `from`, or of a path under
  // it, are filed (and push their sizes) under the new name.
  void RenameFiles(const std::string& from, const std::string& to);
  // Every open file (finalize closes them).
  std::vector<File*> AllFiles() const;

 private:
  Context() = default;
  void Submit(std::function<void()> body);
  // The executor thread's body: builds the executor, connects, reports the
  // outcome through *started and serves calls until stop_ is set.
  void Serve(const ContextOptions& options, Status* started, Completion* ready);
  Status Connect(const ContextOptions& options);

  std::thread thread_;
  Executor* ex_ = nullptr;  // owned by the executor thread
  Event* stop_ = nullptr;   // lives in the serving fiber
  std::unique_ptr<FsClient> client_;
  uint64_t chunk_size_ = 0;
  std::unordered_map<std::string, std::vector<File*>> files_;
};

}  // namespace benchfs::capi

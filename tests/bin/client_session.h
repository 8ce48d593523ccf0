// SPDX-License-Identifier: BSD-3-Clause
// An FsClient on the test's own thread, for fault tests that must see the
// Status of every call and how long it took: an executor with UCX, and a
// client connected to one benchfsd by host:port.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "runtime/executor.h"
#include "service/fs_client.h"

namespace benchfs::testing {

class ClientSession {
 public:
  explicit ClientSession(UcxConfig ucx = {}, RpcClientConfig rpc = {}) : rpc_(rpc) {
    auto ex = Executor::Create({});
    EXPECT_TRUE(ex.ok()) << ex.status().ToString();
    if (!ex.ok()) return;
    ex_ = std::move(ex.value());
    auto u = ex_->EnableUcx(ucx);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    if (u.ok()) ucx_ = *u;
  }
  bool ok() const { return ucx_ != nullptr; }
  Executor& ex() { return *ex_; }

  // Runs fn in a fiber with a client connected to `addr`; a failed connection
  // fails the test.
  void Run(const std::string& addr, const std::function<void(FsClient&)>& fn) {
    ASSERT_TRUE(ok());
    auto ref = ServerRef::Parse(addr);
    ASSERT_TRUE(ref.ok()) << ref.status().ToString();
    ex_->Run([&] {
      auto c = FsClient::Connect(*ucx_, {*ref}, rpc_);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      fn(**c);
    });
  }

 private:
  RpcClientConfig rpc_;
  std::unique_ptr<Executor> ex_;
  UcxReactor* ucx_ = nullptr;
};

// Deterministic bytes for chunk `index` of the file numbered `file`.
inline void FillPattern(std::byte* p, size_t n, uint64_t file, uint64_t index) {
  uint64_t x = (file + 1) * 0x9E3779B97F4A7C15ULL ^ (index + 7);
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = static_cast<std::byte>(x);
  }
}

}  // namespace benchfs::testing

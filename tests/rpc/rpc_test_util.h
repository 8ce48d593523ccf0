// SPDX-License-Identifier: BSD-3-Clause
// Helpers for RPC tests: a server running on its own executor thread, and a
// client environment on the test's thread.
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "rpc/client.h"
#include "rpc/server.h"
#include "rpc/server_thread.h"
#include "runtime/event.h"
#include "runtime/executor.h"

namespace benchfs::testing {

using ServerOptions = ServerThreadOptions;
using benchfs::ServerThread;

// A client executor with UCX and an RpcClient, on the calling thread.
struct ClientEnv {
  explicit ClientEnv(RpcClientConfig cfg = {}, UcxConfig ucx = {}, ExecutorConfig exc = {}) {
    auto e = Executor::Create(exc);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok()) return;
    ex = std::move(e.value());
    auto u = ex->EnableUcx(ucx);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    if (!u.ok()) return;
    auto c = RpcClient::Create(**u, cfg);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    if (c.ok()) client = std::move(c.value());
  }
  ~ClientEnv() {
    client.reset();
    ex.reset();
  }
  bool ok() const { return client != nullptr; }

  std::unique_ptr<Executor> ex;
  std::unique_ptr<RpcClient> client;
};

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline IoBuffer Filled(size_t n, uint64_t seed) {
  IoBuffer b = IoBuffer::Allocate(n);
  for (size_t i = 0; i < n; ++i) b.data()[i] = static_cast<std::byte>((i * 131 + seed * 7919) & 0xff);
  return b;
}

inline bool SameBytes(const IoBuffer& a, const IoBuffer& b, size_t n) {
  return a.size() >= n && b.size() >= n && std::memcmp(a.data(), b.data(), n) == 0;
}

}  // namespace benchfs::testing

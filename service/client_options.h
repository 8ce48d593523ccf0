// SPDX-License-Identifier: BSD-3-Clause
// ClientOptions: how a benchfs client reaches its servers (given directly, as
// host:port or through a registry) and the executor, UCX and RPC settings it
// does it with. Filled from the knob registry (flags and TOML) and used by
// every client command.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "rpc/rpc_config.h"
#include "runtime/executor_config.h"
#include "runtime/ucx_reactor.h"
#include "service/fs_client.h"

namespace benchfs {

struct ClientOptions {
  std::vector<ServerRef> refs;       // servers given directly (e.g. by an MPI launcher)
  std::vector<std::string> servers;  // host:port, repeated
  std::string registry_dir;          // or every server published here
  uint32_t expect_servers = 0;       // wait until the registry lists this many (0 = take what is there)
  Duration registry_wait = std::chrono::seconds(60);
  ExecutorConfig executor;
  UcxConfig ucx;
  RpcClientConfig rpc;
  // The file the HELLO token is loaded from into rpc.token (empty: none).
  std::string token_file;
};

}  // namespace benchfs

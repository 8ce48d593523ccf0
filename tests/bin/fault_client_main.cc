// SPDX-License-Identifier: BSD-3-Clause
// benchfs-fault-client HOST:PORT write|read QD: a client for the fault tests
// that is killed with SIGKILL in the middle of its work. `write` keeps QD
// 16 KiB chunk writes in flight; `read` first writes 8 chunks of 1 MiB, then
// keeps QD 1 MiB reads of them in flight. It prints "started" once QD
// operations have completed, then runs until killed (exit 1 on any error).
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/executor.h"
#include "service/fs_client.h"

namespace {

using namespace benchfs;

int Run(const std::string& addr, const std::string& mode, int qd) {
  auto ref = ServerRef::Parse(addr);
  if (!ref.ok()) return 2;
  auto ex = Executor::Create({});
  if (!ex.ok()) return 1;
  auto ucx = (*ex)->EnableUcx({});
  if (!ucx.ok()) return 1;
  int code = 0;
  (*ex)->Run([&] {
    auto c = FsClient::Connect(**ucx, {*ref}, {});
    if (!c.ok()) {
      std::fprintf(stderr, "fault client: %s\n", c.status().ToString().c_str());
      code = 1;
      return;
    }
    FsClient& client = **c;
    const bool reads = mode == "read";
    const size_t size = reads ? (1u << 20) : (16u << 10);
    if (reads) {
      for (int f = 0; f < 8; ++f) {
        IoBuffer b = IoBuffer::Allocate(size);
        Status s = client.WriteChunk("/fault/r" + std::to_string(f), 0, 0, b, size);
        if (!s.ok()) {
          std::fprintf(stderr, "fault client: %s\n", s.ToString().c_str());
          code = 1;
          return;
        }
      }
    }
    int done = 0;
    bool announced = false;
    std::vector<FiberHandle> fibers;
    for (int i = 0; i < qd; ++i) {
      fibers.push_back((*ex)->Spawn([&, i] {
        IoBuffer b = IoBuffer::Allocate(size);
        for (uint64_t n = 0;; ++n) {
          Status s = reads ? client.ReadChunk("/fault/r" + std::to_string((i + n) % 8), 0, 0, b, size).status()
                           : client.WriteChunk("/fault/w" + std::to_string(i), n % 4, 0, b, size);
          if (!s.ok()) {
            std::fprintf(stderr, "fault client: %s\n", s.ToString().c_str());
            std::fflush(stderr);
            std::_Exit(1);
          }
          if (++done >= qd && !announced) {
            announced = true;
            std::printf("started\n");
            std::fflush(stdout);
          }
        }
      }));
    }
    for (auto& f : fibers) (*ex)->Join(f);
  });
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: benchfs-fault-client HOST:PORT write|read QD\n");
    return 2;
  }
  return Run(argv[1], argv[2], std::stoi(argv[3]));
}

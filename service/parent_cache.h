// SPDX-License-Identifier: BSD-3-Clause
// ParentCache: the directories a client has found to exist, per metadata
// server, and the server's namespace epoch they were checked under
// (docs/namespace.md, "Parent checks").
//
// A create names the epoch its parent was checked under; the server refuses
// it once its epoch has moved (rmdir and directory rename move every
// server's epoch, before and after the removal), and the client checks the
// parent again. An epoch is learned before the checks made under it, so a
// directory removed after its check always reaches the creating server as a
// moved epoch. Fibers of one client share the cache: an entry is added only
// if the epoch it was checked under is still the current one.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace benchfs {

class ParentCache {
 public:
  // Entries kept per server; the set starts again when full.
  static constexpr size_t kMaxDirsPerServer = 4096;

  explicit ParentCache(size_t servers) : servers_(servers) {}

  // 0: not known (learn it with NS_EPOCH first).
  uint64_t epoch(uint32_t server) const { return servers_[server].epoch; }
  // Whether `dir` was found to exist under the current epoch of `server`.
  bool Knows(uint32_t server, const std::string& dir) const {
    const PerServer& s = servers_[server];
    return s.epoch != 0 && s.dirs.count(dir) != 0;
  }
  // The server's epoch, learned from a reply: a new one forgets every check.
  void SetEpoch(uint32_t server, uint64_t epoch) {
    PerServer& s = servers_[server];
    if (s.epoch == epoch) return;
    s.epoch = epoch;
    s.dirs.clear();
  }
  // `dir` exists, checked after `epoch` was learned.
  void Add(uint32_t server, const std::string& dir, uint64_t epoch) {
    PerServer& s = servers_[server];
    if (s.epoch != epoch) return;
    if (s.dirs.size() >= kMaxDirsPerServer) s.dirs.clear();
    s.dirs.insert(dir);
  }
  // The server refused a create made under `epoch`: it has moved on.
  void Forget(uint32_t server, uint64_t epoch) {
    if (servers_[server].epoch == epoch) SetEpoch(server, 0);
  }

 private:
  struct PerServer {
    uint64_t epoch = 0;
    std::unordered_set<std::string> dirs;
  };
  std::vector<PerServer> servers_;
};

}  // namespace benchfs

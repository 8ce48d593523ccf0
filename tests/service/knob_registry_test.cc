// SPDX-License-Identifier: BSD-3-Clause
// The knob registry: every key has its own flag, every entry survives
// flag -> config -> TOML -> config, --print-config prints every key, the
// flags handed to a child benchfsd set the same values, and the knob table
// committed in docs/configuration.md is the one the registry prints.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "service/knob_registry.h"
#include "tests/service/parse_args.h"

namespace benchfs {
namespace {

// A value other than the default for every key, in the form the registry
// prints it.
const std::map<std::string, std::string>& Samples() {
  static const std::map<std::string, std::string> samples = {
      {"server.listen", "0.0.0.0:9000"},
      {"server.registry_dir", "/tmp/registry"},
      {"server.registry_name", "node-1"},
      {"server.max_inflight", "64"},
      {"server.max_inflight_per_conn", "8"},
      {"server.protocol", "rndv"},
      {"server.pid_file", "/tmp/benchfsd.pid"},
      {"server.perf_log", "/tmp/perf.csv"},
      {"server.token_file", "/tmp/token"},
      {"server.log_level", "warn"},
      {"server.drain_timeout", "2s"},
      {"storage.data_dir", "/tmp/data"},
      {"storage.backend", "memory"},
      {"storage.chunk_size", "1MiB"},
      {"storage.durability", "fsync"},
      {"storage.group_interval", "5ms"},
      {"storage.direct_io", "true"},
      {"storage.metadata_log", "false"},
      {"storage.max_open_files", "100"},
      {"storage.resolved_chunks", "300"},
      {"storage.registered_buffers", "16"},
      {"storage.registered_buffer_size", "64KiB"},
      {"storage.memory_limit", "2GiB"},
      {"reactor.mode", "gated"},
      {"reactor.submit_timeout", "50ms"},
      {"reactor.complete_timeout", "10us"},
      {"reactor.submit_batch", "8"},
      {"reactor.idle_spin", "0"},
      {"reactor.task_quota", "100us"},
      {"reactor.ring_entries", "512"},
      {"reactor.ring_setup", "sqpoll"},
      {"reactor.sqpoll_idle_ms", "200"},
      {"reactor.fixed_files", "0"},
      {"reactor.io_workers", "3"},
      {"reactor.stack_size", "256KiB"},
      {"ucx.tls", "tcp"},
      {"ucx.net_devices", "lo"},
      {"ucx.progress_cap", "32"},
      {"client.timeout", "1s"},
      {"client.connect_timeout", "3s"},
      {"client.busy_retries", "5"},
      {"client.token_file", "/tmp/client-token"},
  };
  return samples;
}

// One program's registry: benchfsd's or benchfs's.
struct Program {
  DaemonConfig daemon;
  ClientOptions client;
  Knobs knobs;
  explicit Program(bool is_daemon) {
    if (is_daemon) AddDaemonKnobs(knobs, &daemon);
    else AddClientKnobs(knobs, &client);
  }
  Status Parse(const std::vector<std::string>& args) {
    CLI::App app{"test"};
    knobs.Declare(app);
    Status s = ParseArgs(app, args);
    return s.ok() ? knobs.Apply("") : s;
  }
  std::string Get(const std::string& key) const {
    for (const auto& [k, v] : knobs.Values()) {
      if (k == key) return v;
    }
    return "<no such key>";
  }
};

class KnobRegistry : public testing::TestWithParam<bool> {};

TEST_P(KnobRegistry, EveryKeyHasItsOwnFlag) {
  Program p(GetParam());
  std::set<std::string> keys;
  std::set<std::string> flags;
  for (const Knobs::Entry& e : p.knobs.Entries()) {
    EXPECT_EQ(e.flag.rfind("--", 0), 0u) << e.key << " has no flag";
    EXPECT_TRUE(keys.insert(e.key).second) << e.key << " is declared twice";
    EXPECT_TRUE(flags.insert(e.flag).second) << e.flag << " is declared twice";
    EXPECT_FALSE(e.help.empty()) << e.key;
    EXPECT_FALSE(e.values.empty()) << e.key;
  }
}

TEST_P(KnobRegistry, EveryEntryRoundTripsFlagConfigTomlConfig) {
  const std::vector<Knobs::Entry> entries = Program(GetParam()).knobs.Entries();
  for (const Knobs::Entry& e : entries) {
    SCOPED_TRACE(e.key);
    auto sample = Samples().find(e.key);
    ASSERT_NE(sample, Samples().end()) << "give " << e.key << " a sample value in this test";
    ASSERT_NE(sample->second, e.default_value) << "the sample must differ from the default";
    Program flagged(GetParam());
    Status s = flagged.Parse({e.flag, sample->second});
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(flagged.Get(e.key), sample->second);
    Program reloaded(GetParam());
    s = reloaded.knobs.ApplyToml(flagged.knobs.PrintToml(), "printed.toml");
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(reloaded.knobs.Values(), flagged.knobs.Values());
  }
}

TEST_P(KnobRegistry, PrintConfigPrintsEveryKey) {
  Program p(GetParam());
  const std::string printed = p.knobs.PrintToml();
  for (const Knobs::Entry& e : p.knobs.Entries()) {
    EXPECT_NE(printed.find(e.key + " = \"" + e.value + "\"\n"), std::string::npos) << e.key << "\n" << printed;
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, KnobRegistry, testing::Values(true, false),
                         [](const testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "Benchfsd" : "Benchfs");
                         });

TEST(KnobRegistryFlags, DaemonKnobFlagsGiveAChildDaemonTheSameSettings) {
  Program client(false);
  Status s = client.Parse({"--reactor-mode", "gated", "--submit-timeout", "50ms", "--stack-size", "256KiB",
                           "--fixed-files", "0", "--ucx-tls", "tcp", "--ucx-progress-cap", "32"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  Program daemon(true);
  s = daemon.Parse(DaemonKnobFlags(client.client.executor, client.client.ucx));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(daemon.knobs.Section("reactor."), client.knobs.Section("reactor."));
  EXPECT_EQ(daemon.knobs.Section("ucx."), client.knobs.Section("ucx."));
}

TEST(KnobRegistryFlags, EmptyTextKnobsAreLeftOut) {
  const std::vector<std::string> flags = DaemonKnobFlags(ExecutorConfig(), UcxConfig());
  for (const std::string& f : flags) EXPECT_NE(f, "--ucx-tls");
  EXPECT_EQ(flags.size() % 2, 0u);
}

TEST(KnobRegistryFlags, ReactorManifestNamesEveryReactorKnob) {
  ExecutorConfig e;
  e.reactor_mode = ReactorMode::kGated;
  const auto section = ReactorManifest(e);
  ASSERT_FALSE(section.empty());
  EXPECT_EQ(section.front(), std::make_pair(std::string("mode"), std::string("gated")));
  Program p(false);
  size_t reactor_keys = 0;
  for (const Knobs::Entry& entry : p.knobs.Entries()) reactor_keys += entry.key.rfind("reactor.", 0) == 0;
  EXPECT_EQ(section.size(), reactor_keys);
}

TEST(KnobRegistryDoc, CommittedTableIsTheGeneratedOne) {
  const std::string path = std::string(BENCHFS_SOURCE_DIR) + "/docs/configuration.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string begin =
      "<!-- knob table: generated by scripts/update-config-doc from service/knob_registry.cc -->\n";
  const std::string end = "<!-- end of knob table -->";
  const size_t b = doc.find(begin);
  const size_t e = doc.find(end);
  ASSERT_TRUE(b != std::string::npos && e != std::string::npos && b < e) << path << " lost its knob table markers";
  const std::string committed = doc.substr(b + begin.size(), e - b - begin.size());
  Program daemon(true);
  EXPECT_EQ(committed, daemon.knobs.MarkdownTable())
      << "docs/configuration.md's knob table is stale: regenerate it with scripts/update-config-doc "
         "(it runs benchfsd --print-config-doc)";
}

}  // namespace
}  // namespace benchfs

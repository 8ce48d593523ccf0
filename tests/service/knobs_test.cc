// SPDX-License-Identifier: BSD-3-Clause
// Knobs: a TOML file sets values, flags given on the command line override
// them, and every mistake - unknown key, bad value, wrong type, bad flag
// value - is an error naming the key or flag.
#include <unistd.h>

#include <fstream>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "service/knob_registry.h"

namespace benchfs {
namespace {

using namespace std::chrono_literals;

std::string WriteToml(const std::string& text) {
  std::string path = "/tmp/benchfs-knobs-" + std::to_string(getpid()) + ".toml";
  std::ofstream(path) << text;
  return path;
}

struct Fixture {
  ExecutorConfig ex;
  UcxConfig ucx;
  std::string listen = "127.0.0.1:7100";
  Knobs knobs;
  CLI::App app{"test"};
  Fixture() {
    AddExecutorKnobs(knobs, &ex);
    AddUcxKnobs(knobs, &ucx);
    knobs.AddString("server.listen", "--listen", "address", &listen);
    knobs.Declare(app);
  }
  Status Run(std::vector<std::string> args, const std::string& toml) {
    std::vector<const char*> argv = {"test"};
    for (auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return knobs.Apply(toml);
  }
};

TEST(Knobs, TomlThenFlagsOverride) {
  Fixture f;
  const std::string path = WriteToml(
      "[reactor]\nsubmit_timeout = \"50ms\"\ncomplete_timeout = \"100ms\"\nmode = \"gated\"\n"
      "[server]\nlisten = \"0.0.0.0:9000\"\n[ucx]\ntls = \"tcp\"\n");
  Status s = f.Run({"--complete-timeout", "10us", "--ring-entries", "512"}, path);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(f.ex.submit_timeout, 50ms);
  EXPECT_EQ(f.ex.complete_timeout, 10us);  // the flag wins
  EXPECT_EQ(f.ex.reactor_mode, ReactorMode::kGated);
  EXPECT_EQ(f.ex.ring_entries, 512u);
  EXPECT_EQ(f.listen, "0.0.0.0:9000");
  EXPECT_EQ(f.ucx.tls, "tcp");
  ::unlink(path.c_str());
}

TEST(Knobs, UnknownKeyIsNamed) {
  Fixture f;
  const std::string path = WriteToml("[reactor]\nsubmit_timout = \"1ms\"\n");
  Status s = f.Run({}, path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown key 'reactor.submit_timout'"), std::string::npos) << s.message();
  ::unlink(path.c_str());
}

TEST(Knobs, BadValuesAreNamed) {
  {
    Fixture f;
    const std::string path = WriteToml("[reactor]\nring_entries = 0\n");
    Status s = f.Run({}, path);
    EXPECT_NE(s.message().find("reactor.ring_entries"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("1..32768"), std::string::npos) << s.message();
    ::unlink(path.c_str());
  }
  {
    Fixture f;
    const std::string path = WriteToml("[reactor]\nsubmit_timeout = 10\n");
    Status s = f.Run({}, path);
    EXPECT_NE(s.message().find("needs a unit"), std::string::npos) << s.message();
    ::unlink(path.c_str());
  }
  {
    Fixture f;
    Status s = f.Run({"--ring-setup", "fast"}, "");
    EXPECT_NE(s.message().find("--ring-setup"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("sqpoll"), std::string::npos) << s.message();
  }
  {
    Fixture f;
    const std::string path = WriteToml("[reactor\nmode = 1\n");
    Status s = f.Run({}, path);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(path + ":1"), std::string::npos) << s.message();
    ::unlink(path.c_str());
  }
}

TEST(Knobs, SizesAndValues) {
  EXPECT_EQ(*ParseSize("4MiB"), 4u << 20);
  EXPECT_EQ(*ParseSize("16k"), 16u << 10);
  EXPECT_EQ(*ParseSize("123"), 123u);
  EXPECT_FALSE(ParseSize("4MB").ok());
  EXPECT_EQ(FormatSize(4u << 20), "4MiB");
  Fixture f;
  auto values = f.knobs.Values();
  bool found = false;
  for (auto& [k, v] : values) found |= (k == "reactor.idle_spin" && v == "50us");
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace benchfs

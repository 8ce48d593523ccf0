// Knobs: every setting of a program declared once - its TOML key, its
// command-line flag, its help and a setter that parses and validates. Values
// come first from an optional TOML file, then from the flags actually given
// on the command line. An unknown TOML key, a bad value or a value of the
// wrong kind is an error that names the key (or flag) and what is allowed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/clock.h"
#include "runtime/status.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace benchfs {

class Knobs {
 public:
  using Setter = std::function<Status(const std::string& value)>;
  using Getter = std::function<std::string()>;

  // key: "section.name" in TOML; flag: "--name" on the command line ("" for
  // TOML only); get: the current value as text (for --print-config and
  // result manifests).
  void Add(std::string key, std::string flag, std::string help, Setter set, Getter get);

  // Typed helpers.
  void AddString(std::string key, std::string flag, std::string help, std::string* target);
  void AddBool(std::string key, std::string flag, std::string help, bool* target);
  void AddUint(std::string key, std::string flag, std::string help, uint64_t lo, uint64_t hi,
               uint64_t* target);
  void AddUint32(std::string key, std::string flag, std::string help, uint32_t lo, uint32_t hi,
                 uint32_t* target);
  void AddDuration(std::string key, std::string flag, std::string help, Duration* target);
  // Sizes accept B, KiB, MiB, GiB (and k/M/G as powers of 1024).
  void AddSize(std::string key, std::string flag, std::string help, uint64_t lo, uint64_t hi,
               uint64_t* target);
  // An enumerated value: `parse` turns text into T (or an error listing the
  // allowed names), `name` turns T back into text.
  template <typename T, typename Parse, typename Name>
  void AddChoice(std::string key, std::string flag, std::string help, Parse parse, Name name, T* target) {
    Add(std::move(key), std::move(flag), std::move(help),
        [=](const std::string& v) {
          auto r = parse(v);
          if (!r.ok()) return r.status();
          *target = *r;
          return Status();
        },
        [=] { return std::string(name(*target)); });
  }

  // Declares a CLI11 option for every knob with a flag.
  void Declare(CLI::App& app);
  // Applies the TOML file at `path` (if not empty), then every flag given.
  Status Apply(const std::string& toml_path);
  // "key = value" lines of the effective settings, in declaration order.
  std::vector<std::pair<std::string, std::string>> Values() const;

 private:
  template <typename T>
  void AddWhole(std::string key, std::string flag, std::string help, uint64_t lo, uint64_t hi, T* target);
  struct Knob {
    std::string key;
    std::string flag;
    std::string help;
    Setter set;
    Getter get;
    std::string cli_value;
    CLI::Option* option = nullptr;
  };
  Knob* Find(const std::string& key);
  std::vector<Knob> knobs_;
};

// "a,b,c" -> {"a", "b", "c"}.
std::vector<std::string> SplitList(const std::string& text);
// "1KiB,4KiB" -> sizes; the error names the bad item.
Result<std::vector<uint64_t>> ParseSizeList(const std::string& text);

// Parsers shared by knob setters. Errors say what was expected.
Result<uint64_t> ParseUint(const std::string& text, uint64_t lo, uint64_t hi);
Result<uint64_t> ParseSize(const std::string& text);
Result<bool> ParseBool(const std::string& text);
std::string FormatSize(uint64_t bytes);

}  // namespace benchfs

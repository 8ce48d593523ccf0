// SPDX-License-Identifier: BSD-3-Clause
// Knobs: every setting of a program declared once - its TOML key, its
// command-line flag, its help, the values it allows, its default and a setter
// that parses and validates. Everything else about a setting derives from that
// one entry: the CLI11 option, the TOML loader, --print-config, the knob
// sections of result manifests, the flags that hand a configuration to a child
// benchfsd, and the table in docs/configuration.md. Values come first from an
// optional TOML file, then from the flags actually given on the command line.
// An unknown TOML key, a bad value or a value of the wrong kind is an error
// that names the key (or flag) and what is allowed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
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

  // One setting as the registry describes it.
  struct Entry {
    std::string key;            // "section.name" in TOML
    std::string flag;           // "--name" on the command line
    std::string help;
    std::string values;         // what it allows, e.g. "1..32768", "polled, gated", "duration"
    std::string default_value;  // its value when it was added, as text
    std::string value;          // its current value, as text
  };

  // key: "section.name" in TOML; flag: "--name" on the command line; values:
  // the allowed values in words (for the documentation); get: the current
  // value as text. The value `get` returns now is recorded as the default.
  void Add(std::string key, std::string flag, std::string help, std::string values, Setter set,
           Getter get);

  // Typed helpers; each fills in `values` from its type and range.
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
  // A size whose range the configuration's own Validate() checks.
  void AddSize(std::string key, std::string flag, std::string help, uint64_t* target);
  // A value parsed from text (an enumeration, a duration, a size): `parse`
  // turns text into T (or an error saying what is allowed), `name` turns T
  // back into text; `values` says what is allowed in words.
  template <typename T, typename Parse, typename Name>
  void AddChoice(std::string key, std::string flag, std::string help, std::string values, Parse parse,
                 Name name, T* target) {
    Add(std::move(key), std::move(flag), std::move(help), std::move(values),
        [=](const std::string& v) {
          auto r = parse(v);
          if (!r.ok()) return r.status();
          *target = *r;
          return Status();
        },
        [=] { return std::string(name(*target)); });
  }

  // Declares a CLI11 option for every knob.
  void Declare(CLI::App& app);
  // Applies the TOML file at `path` (if not empty), then every flag given.
  Status Apply(const std::string& toml_path);
  // Applies TOML text; `source` names it in errors (the file name).
  Status ApplyToml(std::string_view text, const std::string& source);
  // "key = value" lines of the effective settings, in declaration order.
  std::vector<std::pair<std::string, std::string>> Values() const;
  // The effective settings as TOML (`key = "value"` lines, escaped), which
  // ApplyToml loads back to the same values.
  std::string PrintToml() const;
  // Every entry, in declaration order.
  std::vector<Entry> Entries() const;
  // The knobs whose keys start with `prefix` ("reactor."), as (name without
  // the prefix, value) pairs in declaration order: a manifest's knob section.
  std::vector<std::pair<std::string, std::string>> Section(const std::string& prefix) const;
  // The command line that gives another program these settings:
  // {"--flag", "value", ...} for every knob whose value is not empty.
  std::vector<std::string> Flags() const;
  // The Markdown table of every knob (TOML key, flag, default, allowed
  // values, meaning) that docs/configuration.md carries.
  std::string MarkdownTable() const;

 private:
  template <typename T>
  void AddWhole(std::string key, std::string flag, std::string help, uint64_t lo, uint64_t hi, T* target);
  struct Knob {
    std::string key;
    std::string flag;
    std::string help;
    std::string values;
    std::string default_value;
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

// SPDX-License-Identifier: BSD-3-Clause
// Knobs: declaration, TOML traversal, flag application and the forms the
// registry prints (TOML, flags, manifest sections, the documentation table).
#include "service/knobs.h"

#include <CLI/CLI.hpp>
#include <toml++/toml.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "runtime/executor_config.h"

namespace benchfs {

Result<uint64_t> ParseUint(const std::string& text, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument("'" + text + "' is not a whole number");
  }
  if (v < lo || v > hi) {
    return Status::InvalidArgument(text + " is out of range: allowed " +
                                                    std::to_string(lo) + ".." + std::to_string(hi));
  }
  return v;
}

Result<uint64_t> ParseSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  auto n = ParseUint(text.substr(0, i), 0, UINT64_MAX);
  if (i == 0 || !n.ok()) {
    return Status::InvalidArgument("bad size '" + text + "': expected a number with an optional unit (B, KiB, MiB, GiB)");
  }
  const std::string unit = text.substr(i);
  uint64_t mult;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB" || unit == "k" || unit == "K") mult = 1ull << 10;
  else if (unit == "MiB" || unit == "M") mult = 1ull << 20;
  else if (unit == "GiB" || unit == "G") mult = 1ull << 30;
  else {
    return Status::InvalidArgument("bad size '" + text + "': unknown unit '" + unit + "' (use B, KiB, MiB or GiB)");
  }
  if (*n > UINT64_MAX / mult) return Status::InvalidArgument("size '" + text + "' is too large");
  return *n * mult;
}

std::string FormatSize(uint64_t b) {
  if (b != 0 && b % (1ull << 30) == 0) return std::to_string(b >> 30) + "GiB";
  if (b != 0 && b % (1ull << 20) == 0) return std::to_string(b >> 20) + "MiB";
  if (b != 0 && b % (1ull << 10) == 0) return std::to_string(b >> 10) + "KiB";
  return std::to_string(b) + "B";
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<std::vector<uint64_t>> ParseSizeList(const std::string& text) {
  std::vector<uint64_t> sizes;
  for (const std::string& item : SplitList(text)) {
    auto s = ParseSize(item);
    if (!s.ok()) return s.status();
    sizes.push_back(*s);
  }
  if (sizes.empty()) return Status::InvalidArgument("give at least one size");
  return sizes;
}

Result<bool> ParseBool(const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  return Status::InvalidArgument("'" + text + "' is not true or false");
}

void Knobs::Add(std::string key, std::string flag, std::string help, std::string values, Setter set,
                Getter get) {
  Knob k;
  k.key = std::move(key);
  k.flag = std::move(flag);
  k.help = std::move(help);
  k.values = std::move(values);
  k.default_value = get();
  k.set = std::move(set);
  k.get = std::move(get);
  knobs_.push_back(std::move(k));
}

void Knobs::AddString(std::string key, std::string flag, std::string help, std::string* t) {
  Add(std::move(key), std::move(flag), std::move(help), "text",
      [t](const std::string& v) { *t = v; return Status(); }, [t] { return *t; });
}

void Knobs::AddBool(std::string key, std::string flag, std::string help, bool* t) {
  Add(std::move(key), std::move(flag), std::move(help), "true, false",
      [t](const std::string& v) {
        auto b = ParseBool(v);
        if (!b.ok()) return b.status();
        *t = *b;
        return Status();
      },
      [t] { return std::string(*t ? "true" : "false"); });
}

template <typename T>
void Knobs::AddWhole(std::string key, std::string flag, std::string help, uint64_t lo, uint64_t hi, T* t) {
  Add(std::move(key), std::move(flag), std::move(help), std::to_string(lo) + ".." + std::to_string(hi),
      [t, lo, hi](const std::string& v) {
        auto n = ParseUint(v, lo, hi);
        if (!n.ok()) return n.status();
        *t = static_cast<T>(*n);
        return Status();
      },
      [t] { return std::to_string(*t); });
}

void Knobs::AddUint(std::string key, std::string flag, std::string help, uint64_t lo, uint64_t hi,
                    uint64_t* t) {
  AddWhole(std::move(key), std::move(flag), std::move(help), lo, hi, t);
}

void Knobs::AddUint32(std::string key, std::string flag, std::string help, uint32_t lo, uint32_t hi,
                      uint32_t* t) {
  AddWhole(std::move(key), std::move(flag), std::move(help), lo, hi, t);
}

void Knobs::AddDuration(std::string key, std::string flag, std::string help, Duration* t) {
  AddChoice(std::move(key), std::move(flag), std::move(help), "duration",
            [](const std::string& v) { return ParseDuration(v); }, FormatDuration, t);
}

void Knobs::AddSize(std::string key, std::string flag, std::string help, uint64_t lo, uint64_t hi,
                    uint64_t* t) {
  Add(std::move(key), std::move(flag), std::move(help), FormatSize(lo) + ".." + FormatSize(hi),
      [t, lo, hi](const std::string& v) {
        auto n = ParseSize(v);
        if (!n.ok()) return n.status();
        if (*n < lo || *n > hi) {
          return Status::InvalidArgument(v + " is out of range: allowed " +
                                                          FormatSize(lo) + ".." + FormatSize(hi));
        }
        *t = *n;
        return Status();
      },
      [t] { return FormatSize(*t); });
}

void Knobs::AddSize(std::string key, std::string flag, std::string help, uint64_t* t) {
  AddChoice(std::move(key), std::move(flag), std::move(help), "size", ParseSize, FormatSize, t);
}

void Knobs::Declare(CLI::App& app) {
  for (Knob& k : knobs_) {
    std::string help = k.help + " [" + k.key + ", default " + k.get() + "]";
    k.option = app.add_option(k.flag, k.cli_value, help);
  }
}

Knobs::Knob* Knobs::Find(const std::string& key) {
  for (Knob& k : knobs_) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

namespace {

Status Walk(const toml::table& table, const std::string& prefix, const std::string& file,
            const std::function<Status(const std::string&, const toml::node&)>& visit) {
  for (const auto& [name, node] : table) {
    const std::string key = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (const toml::table* sub = node.as_table()) {
      Status s = Walk(*sub, key, file, visit);
      if (!s.ok()) return s;
      continue;
    }
    Status s = visit(key, node);
    if (!s.ok()) return s;
  }
  return Status();
}

}  // namespace

Status Knobs::Apply(const std::string& toml_path) {
  if (!toml_path.empty()) {
    std::ifstream in(toml_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Status::InvalidArgument("cannot read the configuration file " + toml_path);
    Status s = ApplyToml(text.str(), toml_path);
    if (!s.ok()) return s;
  }
  for (Knob& k : knobs_) {
    if (k.option == nullptr || k.option->count() == 0) continue;
    Status set = k.set(k.cli_value);
    if (!set.ok()) return Status(set.code(), k.flag + ": " + set.message());
  }
  return Status();
}

Status Knobs::ApplyToml(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(source + ":" + std::to_string(where.line) + ":" +
                                                    std::to_string(where.column) + ": " +
                                                    std::string(e.description()));
  }
  return Walk(root, "", source, [&](const std::string& key, const toml::node& node) {
    Knob* k = Find(key);
    if (k == nullptr) {
      return Status::InvalidArgument(source + ": unknown key '" + key + "' (see --print-config for the known keys)");
    }
    std::string value;
    if (const auto* str = node.as_string()) value = str->get();
    else if (const auto* b = node.as_boolean()) value = b->get() ? "true" : "false";
    else if (const auto* i = node.as_integer()) value = std::to_string(i->get());
    else {
      return Status::InvalidArgument(source + ": key '" + key + "' must be a string, integer or boolean");
    }
    Status set = k->set(value);
    if (!set.ok()) return Status(set.code(), source + ": " + key + ": " + set.message());
    return Status();
  });
}

std::vector<std::pair<std::string, std::string>> Knobs::Values() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Knob& k : knobs_) out.emplace_back(k.key, k.get());
  return out;
}

std::string Knobs::PrintToml() const {
  std::string text;
  for (const Knob& k : knobs_) {
    text += k.key + " = \"";
    for (char c : k.get()) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text += '\\';
        text += c;
      } else if (u < 0x20 || u == 0x7f) {
        char esc[8];
        std::snprintf(esc, sizeof(esc), "\\u%04x", u);
        text += esc;
      } else {
        text += c;
      }
    }
    text += "\"\n";
  }
  return text;
}

std::vector<Knobs::Entry> Knobs::Entries() const {
  std::vector<Entry> out;
  for (const Knob& k : knobs_) out.push_back({k.key, k.flag, k.help, k.values, k.default_value, k.get()});
  return out;
}

std::vector<std::pair<std::string, std::string>> Knobs::Section(const std::string& prefix) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Knob& k : knobs_) {
    if (k.key.compare(0, prefix.size(), prefix) == 0) out.emplace_back(k.key.substr(prefix.size()), k.get());
  }
  return out;
}

std::vector<std::string> Knobs::Flags() const {
  std::vector<std::string> out;
  for (const Knob& k : knobs_) {
    std::string value = k.get();
    if (value.empty()) continue;
    out.push_back(k.flag);
    out.push_back(std::move(value));
  }
  return out;
}

std::string Knobs::MarkdownTable() const {
  auto code = [](const std::string& text) { return text.empty() ? std::string("\"\"") : "`" + text + "`"; };
  auto cell = [](std::string text) {
    std::string out;
    for (char c : text) {
      if (c == '|') out += '\\';
      out += c;
    }
    return out;
  };
  std::string text = "| TOML key | flag | default | values | meaning |\n|---|---|---|---|---|\n";
  for (const Knob& k : knobs_) {
    text += "| `" + k.key + "` | `" + k.flag + "` | " + code(k.default_value) + " | " + cell(k.values) + " | " +
            cell(k.help) + " |\n";
  }
  return text;
}

}  // namespace benchfs

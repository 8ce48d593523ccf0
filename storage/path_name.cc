// SPDX-License-Identifier: BSD-3-Clause
// Path validation: one pass over the bytes.
#include "storage/path_name.h"

#include <cstring>

#include <cerrno>
#include <string>

namespace benchfs {
namespace {

std::string Shown(std::string_view path) {
  std::string s;
  for (char c : path.substr(0, 80)) s += c == '\0' ? std::string("\\0") : std::string(1, c);
  if (path.size() > 80) s += "...";
  return "'" + s + "'";
}

Status Bad(std::string_view path, const char* rule) {
  return Status::InvalidArgument("path " + Shown(path) + " is invalid: " + rule, EINVAL);
}

}  // namespace

Status ValidatePath(std::string_view path, size_t max_length) {
  if (path.empty()) return Bad(path, "it is empty; use an absolute path such as /dir/file");
  if (path.size() > max_length) {
    return Status::InvalidArgument("path " + Shown(path) + " is invalid: " + std::to_string(path.size()) +
                      " bytes, longer than the limit of " + std::to_string(max_length), ENAMETOOLONG);
  }
  if (path[0] != '/') return Bad(path, "it must be absolute (start with /)");
  if (path.size() == 1) return Status();
  if (path.back() == '/') return Bad(path, "it must not end with /");
  if (std::memchr(path.data(), '\0', path.size()) != nullptr) return Bad(path, "it contains a NUL byte");
  // Walk the components between slashes (memchr: every call checks a path).
  const char* const end = path.data() + path.size();
  const char* start = path.data() + 1;
  while (true) {
    const char* slash = static_cast<const char*>(std::memchr(start, '/', static_cast<size_t>(end - start)));
    const char* stop = slash != nullptr ? slash : end;
    const std::string_view comp(start, static_cast<size_t>(stop - start));
    if (comp.empty()) return Bad(path, "it contains an empty component (//)");
    if (comp.size() <= 2 && comp[0] == '.') {
      if (comp.size() == 1) return Bad(path, "it contains a '.' component");
      if (comp[1] == '.') return Bad(path, "it contains a '..' component");
    }
    if (comp.size() > kMaxNameLength) {
      return Status::InvalidArgument("path " + Shown(path) + " is invalid: a component of " +
                                         std::to_string(comp.size()) + " bytes is longer than the limit of " +
                                         std::to_string(kMaxNameLength),
                                     ENAMETOOLONG);
    }
    if (slash == nullptr) return Status();
    start = slash + 1;
  }
}

}  // namespace benchfs

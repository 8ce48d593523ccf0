// SPDX-License-Identifier: BSD-3-Clause
// Path validation: one pass over the bytes.
#include "storage/path_name.h"

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
  // Walk the components between slashes.
  size_t start = 1;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] == '\0') return Bad(path, "it contains a NUL byte");
    if (i == path.size() || path[i] == '/') {
      const std::string_view comp = path.substr(start, i - start);
      if (comp.empty()) return Bad(path, "it contains an empty component (//)");
      if (comp == ".") return Bad(path, "it contains a '.' component");
      if (comp == "..") return Bad(path, "it contains a '..' component");
      if (comp.size() > kMaxNameLength) {
        return Status::InvalidArgument("path " + Shown(path) + " is invalid: a component of " +
                                           std::to_string(comp.size()) + " bytes is longer than the limit of " +
                                           std::to_string(kMaxNameLength),
                                       ENAMETOOLONG);
      }
      start = i + 1;
    }
  }
  return Status();
}

}  // namespace benchfs

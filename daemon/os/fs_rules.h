// The rules every Filesystem implementation applies before touching a name,
// shared by the POSIX one and the test fake so both refuse exactly the same
// things. Pure functions; thread-safe.
#pragma once

#include <string>

#include "base/status.h"
#include "os/filesystem.h"

namespace retention {

// OK for a plain name; kInvalidArgument for "", ".", "..", or a name with
// '/' or NUL, any of which would let the kernel walk unchecked components.
Status CheckName(const std::string& name);

// "dir/name" for messages ("/name" under the root "/").
std::string JoinPath(const std::string& dir, const std::string& name);

// An absolute root path with trailing '/' trimmed. A final "." or ".."
// would make the kernel follow a symlink in the last component despite
// O_NOFOLLOW, so such a path is refused, as is a relative one.
StatusOr<std::string> CleanRootPath(std::string path);

// JoinPath's inverse: "/a/b/c" -> {"/a/b", "c"}, "/c" -> {"/", "c"}, and a
// path without '/' -> {"", path}.
struct PathParts {
  std::string dir;
  std::string name;
};
PathParts SplitPath(const std::string& path);

// Why `now` (the name as it is) may not be removed on the strength of
// `expected` (the name as the caller examined it): replaced since, a mount
// point, or a device, FIFO or socket (kUnsafe). OK when removable.
Status CheckRemovable(const FileInfo& now, const FileInfo& expected,
                      const std::string& path);

}  // namespace retention

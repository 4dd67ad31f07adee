// UserDir: one user directory found by expanding a layout pattern beneath
// the occupancy root (occupancy_dir_posix.cc).
//
// Threading: FindUserDirs is stateless.
#pragma once

#include <string>
#include <vector>

namespace retention {

struct UserDir {
  std::string id;
  std::string path;  // relative to the root
};

// Expands `layout` (valid per CheckLayout) beneath root_fd. Literal
// components are not checked here: a missing one shows when the user
// directory is opened. Unreadable directories become warnings.
std::vector<UserDir> FindUserDirs(int root_fd, const std::string& layout,
                                  std::vector<std::string>* warnings);

}  // namespace retention

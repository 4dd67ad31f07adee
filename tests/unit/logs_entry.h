// MakeLogsEntry: a regular file of a hand-made LogSetSnapshot, for the logs
// planner's tests. Its inode is derived from its path, so two entries of
// one path are the same file.
#pragma once

#include <functional>
#include <string>

#include "kinds/logs/logs_planner.h"

namespace retention {

inline LogsEntry MakeLogsEntry(const std::string& dir, const std::string& name,
                               uint64_t size, WallTime mtime) {
  LogsEntry e;
  e.dir = dir;
  e.name = name;
  e.info.type = FileType::kRegular;
  e.info.size = size;
  e.info.mtime = mtime;
  e.info.ctime = mtime;
  e.info.ino = std::hash<std::string>()(dir + "/" + name);
  return e;
}

}  // namespace retention

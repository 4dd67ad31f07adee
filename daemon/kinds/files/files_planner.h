// The pure planner of the [files.NAME] kind: given a snapshot of the root
// (WalkTree: the root's entries, or with `recursive` the whole tree) and
// the time, decide what to delete and why. Only regular files and symlinks
// (the link itself) are candidates; devices, FIFOs, sockets and mount
// points never are. Nothing younger than max(max_age, min_age) is planned:
// the min_age floor wins over every other setting. Age is by mtime, ctime
// or atime (age_by). The keep_newest newest candidates (by that time) are
// always kept, whatever their age. Names matching an exclude glob are never
// candidates (with `recursive`, an excluded directory is not entered).
// With remove_empty_dirs, a directory below the root is removed once
// everything in it is (or already was) gone and its own age is past the
// same deadline; the root never is.
// Thread-safe (no state).
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "core/policy.h"
#include "os/filesystem.h"
#include "os/tree_walk.h"

namespace retention {

enum class AgeBy { kMtime, kCtime, kAtime };

struct FilesRule {
  std::string root;                // absolute, for targets and reasons
  std::vector<std::string> match;  // fnmatch globs on the name
  Duration max_age{};
  Duration min_age{};
  std::vector<std::string> exclude;
  AgeBy age_by = AgeBy::kMtime;
  uint64_t keep_newest = 0;
  bool recursive = false;
  bool remove_empty_dirs = false;  // only with recursive
};

// Action::ref of a planned file is its index in TreeSnapshot::entries; of
// a planned directory, kDirRef | its index in TreeSnapshot::dirs.
inline constexpr uint64_t kDirRef = uint64_t{1} << 63;

// The time `info` is aged by.
WallTime AgeTime(const FileInfo& info, AgeBy by);
// "mtime" -> kMtime, ...; precondition: one of mtime, ctime, atime.
AgeBy ParseAgeBy(const std::string& name);

struct FilesEntry {
  std::string name;
  FileInfo info;
};

bool MatchesAnyGlob(const std::vector<std::string>& globs,
                    const std::string& name);

// Plan::scope counts matching candidates (and, with remove_empty_dirs, the
// directories below the root) and Plan::kept the files left (with the
// oldest age time among them). Actions are ordered oldest first; with
// `recursive`, directory by directory in post-order (PostOrder), each
// directory's files by name and then the directory itself, so an executor
// walks the tree once.
Plan PlanFiles(const std::string& policy, const FilesRule& rule,
               const TreeSnapshot& tree, WallTime now);
// The same for `entries` directly in the root (no subdirectory entered).
Plan PlanFiles(const std::string& policy, const FilesRule& rule,
               const std::vector<FilesEntry>& entries, WallTime now);

}  // namespace retention

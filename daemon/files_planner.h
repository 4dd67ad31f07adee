// The pure planner of the [files.NAME] kind: given the entries directly
// under a root (a snapshot) and the time, decide which to delete and why.
// Only regular files and symlinks (the link itself) are candidates;
// directories, devices, FIFOs, sockets and mount points never are. Nothing
// younger than max(max_age, min_age) is planned: the min_age floor wins over
// every other setting. Age is by mtime, ctime or atime (age_by). The
// keep_newest newest candidates (by that time) are always kept, whatever
// their age. Names matching an exclude glob are never candidates.
// Thread-safe (no state).
#pragma once

#include <string>
#include <vector>

#include "clock.h"
#include "filesystem.h"
#include "policy.h"

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
};

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

// Actions are ordered oldest first (by the age time); Plan::scope counts matching candidates
// and Plan::kept the ones left (with the oldest mtime among them).
Plan PlanFiles(const std::string& policy, const FilesRule& rule,
               const std::vector<FilesEntry>& entries, WallTime now);

}  // namespace retention

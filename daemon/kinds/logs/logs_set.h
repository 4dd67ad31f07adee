// Membership in a log set: which names in which directories are live files
// of a LogsRule, and which are their archives or temps. The executor lists
// SetDirectories() and sorts each name with IsLiveFile() / ArchiveOfSet()
// to build the planner's snapshot; the planner uses the same functions, so
// both agree on what belongs to the set.
//
// A live name matches a path's last component (fnmatch, FNM_PERIOD) in that
// path's directory. A name that looks like an archive or a temp of a matched
// name is never live, even in another directory, so a glob such as
// `/var/log/app/*` never treats `access.log-20261123T173430Z.zst` or
// `access.log.1` as a log to rotate. Archives belong to the set whether or
// not their live file exists right now, so a vanished log's archives still
// age out. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kinds/logs/logs_naming.h"
#include "kinds/logs/logs_rule.h"
#include "os/filesystem.h"
#include "os/fs_rules.h"  // JoinPath

namespace retention {

// Where archives of a live file in `live_dir` go: rule.archive_dir, or
// `live_dir` itself when that is empty.
std::string ArchiveDirFor(const LogsRule& rule, const std::string& live_dir);

// Every directory holding live files or archives, each once, sorted.
std::vector<std::string> SetDirectories(const LogsRule& rule);

// True when `name` in `dir` is a live file of the set: matched by a path,
// not a temp, and not an archive of a name the same path matches.
bool IsLiveFile(const LogsRule& rule, const std::string& dir,
                const std::string& name);

// `name` in `dir` as an archive, or a temp, of a live file of the set (in
// rule.naming), with ArchiveName::live filled. A new live file being
// prepared beside its live file (LIVE.rtd-tmp) is a temp too, with only
// `live` and `temp` set. nullopt: the name is not part of the set.
std::optional<ArchiveName> ArchiveOfSet(const LogsRule& rule,
                                        const std::string& dir,
                                        const std::string& name);

// When the archive was rotated: the time in its name (timestamp naming), or
// its mtime (numbered naming, whose names carry no time).
WallTime ArchiveTime(const LogsRule& rule, const ArchiveName& name,
                     const FileInfo& info);

}  // namespace retention

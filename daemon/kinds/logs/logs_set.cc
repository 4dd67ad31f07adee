#include "kinds/logs/logs_set.h"

#include "kinds/logs/logs_planner.h"

#include <fnmatch.h>

#include <algorithm>

namespace retention {
namespace {

bool Matches(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0;
}

}  // namespace

std::string ArchiveDirFor(const LogsRule& rule, const std::string& live_dir) {
  return rule.archive_dir.empty() ? live_dir : rule.archive_dir;
}

std::vector<std::string> SetDirectories(const LogsRule& rule) {
  std::vector<std::string> dirs;
  for (const std::string& path : rule.paths) {
    const std::string dir = SplitPath(path).dir;
    dirs.push_back(dir);
    dirs.push_back(ArchiveDirFor(rule, dir));
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  return dirs;
}

bool IsLiveFile(const LogsRule& rule, const std::string& dir,
                const std::string& name) {
  if (IsTempName(name)) return false;
  const auto archive = ParseAnyArchiveName(name, rule.naming);
  for (const std::string& path : rule.paths) {
    const PathParts p = SplitPath(path);
    if (p.dir != dir || !Matches(p.name, name)) continue;
    if (archive && Matches(p.name, archive->live)) continue;
    return true;
  }
  return false;
}

std::optional<ArchiveName> ArchiveOfSet(const LogsRule& rule,
                                        const std::string& dir,
                                        const std::string& name) {
  if (auto a = ParseAnyArchiveName(name, rule.naming)) {
    for (const std::string& path : rule.paths) {
      const PathParts p = SplitPath(path);
      if (ArchiveDirFor(rule, p.dir) == dir && Matches(p.name, a->live)) {
        return a;
      }
    }
  }
  if (!IsTempName(name)) return std::nullopt;
  const std::string live = name.substr(0, name.size() - sizeof kTempSuffix + 1);
  if (!IsLiveFile(rule, dir, live)) return std::nullopt;
  ArchiveName a;
  a.live = live;
  a.temp = true;
  return a;
}

WallTime ArchiveTime(const LogsRule& rule, const ArchiveName& name,
                     const FileInfo& info) {
  return rule.naming == ArchiveNaming::kNumbered ? info.mtime : name.time;
}

std::string RotationArchiveName(
    const LogsRule& rule, const std::string& live, WallTime now,
    const std::vector<std::string>& archive_dir_names) {
  if (rule.naming == ArchiveNaming::kNumbered) {
    return FormatNumberedName(live, 1, Compression::kNone);
  }
  return FormatArchiveName(live, now, FreeSeq(live, now, archive_dir_names),
                           Compression::kNone);
}

}  // namespace retention

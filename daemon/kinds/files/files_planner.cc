#include "kinds/files/files_planner.h"

#include <fnmatch.h>

#include <algorithm>

#include "config/config_value.h"
#include "core/lateness.h"

namespace retention {

bool MatchesAnyGlob(const std::vector<std::string>& globs,
                    const std::string& name) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
    return fnmatch(g.c_str(), name.c_str(), FNM_PERIOD) == 0;
  });
}

WallTime AgeTime(const FileInfo& info, AgeBy by) {
  switch (by) {
    case AgeBy::kCtime:
      return info.ctime;
    case AgeBy::kAtime:
      return info.atime;
    case AgeBy::kMtime:
      break;
  }
  return info.mtime;
}

AgeBy ParseAgeBy(const std::string& name) {
  if (name == "ctime") return AgeBy::kCtime;
  if (name == "atime") return AgeBy::kAtime;
  return AgeBy::kMtime;
}

namespace {

const char* AgeVerb(AgeBy by) {
  switch (by) {
    case AgeBy::kCtime:
      return "changed ";
    case AgeBy::kAtime:
      return "accessed ";
    case AgeBy::kMtime:
      break;
  }
  return "modified ";
}

struct Candidate {
  uint32_t index;  // in TreeSnapshot::entries
  const TreeEntry* entry;
  WallTime time;  // by age_by
};

std::string TargetOf(const FilesRule& rule, const TreeSnapshot& tree,
                     const TreeEntry& e) {
  return rule.root + "/" + RelativePath(tree, e.dir, e.name);
}

// The entries that are candidates at all, newest first.
std::vector<Candidate> Candidates(const FilesRule& rule,
                                  const TreeSnapshot& tree, Plan* plan) {
  std::vector<Candidate> out;
  for (uint32_t i = 0; i < tree.entries.size(); ++i) {
    const TreeEntry& e = tree.entries[i];
    if (!MatchesAnyGlob(rule.match, e.name)) continue;
    if (MatchesAnyGlob(rule.exclude, e.name)) continue;
    const FileType t = e.info.type;
    if (t == FileType::kDirectory) continue;
    if (t == FileType::kOther || e.info.mount_root) {
      plan->warnings.push_back("skipped " + TargetOf(rule, tree, e) +
                               ": not a regular file or symlink");
      continue;
    }
    out.push_back({i, &e, AgeTime(e.info, rule.age_by)});
  }
  // Ties by name (then place), so that the plan (reversed) lists them A..Z.
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    if (a.time != b.time) return a.time > b.time;
    if (a.entry->name != b.entry->name) return a.entry->name > b.entry->name;
    return a.index > b.index;
  });
  return out;
}

void Keep(const TreeEntry& e, WallTime t, Survivors* kept) {
  ++kept->count;
  kept->bytes += e.info.size;
  if (!kept->oldest || t < *kept->oldest) kept->oldest = t;
}

std::string AgeReason(const FilesRule& rule, WallTime t, WallTime now) {
  const Duration deadline = std::max(rule.max_age, rule.min_age);
  return AgeVerb(rule.age_by) + FormatIso8601(t) + ", " +
         FormatDuration(
             std::chrono::duration_cast<std::chrono::seconds>(now - t)) +
         " ago, past " +
         (rule.min_age > rule.max_age ? "min_age floor " : "max_age ") +
         FormatDuration(deadline);
}

Action FileAction(const FilesRule& rule, const TreeSnapshot& tree,
                  const Candidate& c, WallTime now) {
  Action a;
  a.verb = Verb::kDelete;
  a.target = TargetOf(rule, tree, *c.entry);
  a.bytes = c.entry->info.size;
  a.reason = AgeReason(rule, c.time, now);
  if (rule.keep_newest > 0) {
    a.reason +=
        "; not among the " + std::to_string(rule.keep_newest) + " newest";
  }
  a.reason += LatenessSuffix(
      now - (c.time + std::max(rule.max_age, rule.min_age)));
  a.expected = c.entry->info;
  a.ref = c.index;
  return a;
}

// Which directories below the root go with remove_empty_dirs: entered,
// old enough themselves, and left with nothing (every entry planned, every
// subdirectory going too). Counts them into plan->scope.
std::vector<bool> RemovableDirs(const FilesRule& rule, const TreeSnapshot& tree,
                                const std::vector<bool>& planned, WallTime now,
                                Plan* plan) {
  std::vector<bool> removable(tree.dirs.size(), false);
  if (!rule.recursive || !rule.remove_empty_dirs) return removable;
  const Duration deadline = std::max(rule.max_age, rule.min_age);
  std::vector<uint64_t> staying(tree.dirs.size(), 0);
  for (size_t i = 0; i < tree.entries.size(); ++i) {
    if (!planned[i]) ++staying[tree.entries[i].dir];
  }
  for (uint32_t d : PostOrder(tree)) {
    if (d == 0) continue;
    const TreeDir& dir = tree.dirs[d];
    ++plan->scope;
    const bool old = now - AgeTime(dir.info, rule.age_by) > deadline;
    removable[d] =
        dir.entered && !dir.info.mount_root && staying[d] == 0 && old;
    if (!removable[d]) ++staying[dir.parent];
  }
  return removable;
}

Action DirAction(const FilesRule& rule, const TreeSnapshot& tree, uint32_t d,
                 WallTime now) {
  const TreeDir& dir = tree.dirs[d];
  Action a;
  a.verb = Verb::kDelete;
  a.target = rule.root + "/" + RelativePath(tree, d);
  a.reason = "empty directory, " +
             AgeReason(rule, AgeTime(dir.info, rule.age_by), now);
  a.expected = dir.info;
  a.ref = kDirRef | d;
  return a;
}

// Directory by directory in post-order: each one's files by name, then the
// directory itself.
std::vector<Action> TreeOrder(const FilesRule& rule, const TreeSnapshot& tree,
                              const std::vector<Candidate>& planned,
                              const std::vector<bool>& removable,
                              WallTime now) {
  std::vector<std::vector<const Candidate*>> in_dir(tree.dirs.size());
  for (const Candidate& c : planned) in_dir[c.entry->dir].push_back(&c);
  std::vector<Action> actions;
  for (uint32_t d : PostOrder(tree)) {
    std::vector<const Candidate*>& files = in_dir[d];
    std::sort(files.begin(), files.end(),
              [](const Candidate* a, const Candidate* b) {
                return a->entry->name < b->entry->name;
              });
    for (const Candidate* c : files) {
      actions.push_back(FileAction(rule, tree, *c, now));
    }
    if (removable[d]) actions.push_back(DirAction(rule, tree, d, now));
  }
  return actions;
}

}  // namespace

Plan PlanFiles(const std::string& policy, const FilesRule& rule,
               const TreeSnapshot& tree, WallTime now) {
  Plan plan;
  plan.policy = policy;
  plan.now = now;
  const Duration deadline = std::max(rule.max_age, rule.min_age);
  plan.kept = Survivors{};
  const std::vector<Candidate> newest_first = Candidates(rule, tree, &plan);
  plan.scope = newest_first.size();
  std::vector<Candidate> planned;  // newest first
  std::vector<bool> is_planned(tree.entries.size(), false);
  for (size_t i = 0; i < newest_first.size(); ++i) {
    const Candidate& c = newest_first[i];
    if (i < rule.keep_newest || now - c.time <= deadline) {
      Keep(*c.entry, c.time, &*plan.kept);
      continue;
    }
    planned.push_back(c);
    is_planned[c.index] = true;
  }
  const std::vector<bool> removable =
      RemovableDirs(rule, tree, is_planned, now, &plan);
  if (rule.recursive) {
    plan.actions = TreeOrder(rule, tree, planned, removable, now);
    return plan;
  }
  for (auto it = planned.rbegin(); it != planned.rend();
       ++it) {  // oldest first
    plan.actions.push_back(FileAction(rule, tree, *it, now));
  }
  return plan;
}

Plan PlanFiles(const std::string& policy, const FilesRule& rule,
               const std::vector<FilesEntry>& entries, WallTime now) {
  TreeSnapshot tree;
  tree.dirs.emplace_back();
  tree.dirs[0].entered = true;
  for (const FilesEntry& e : entries) {
    if (e.info.type == FileType::kDirectory) continue;
    tree.entries.push_back({0, e.name, e.info});
  }
  FilesRule flat = rule;
  flat.recursive = false;
  return PlanFiles(policy, flat, tree, now);
}

}  // namespace retention

#include "files_planner.h"

#include <fnmatch.h>

#include <algorithm>

#include "config_value.h"

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

// The entries that are candidates at all, newest first.
std::vector<const FilesEntry*> Candidates(const FilesRule& rule,
                                          const std::vector<FilesEntry>& all,
                                          Plan* plan) {
  std::vector<const FilesEntry*> out;
  for (const FilesEntry& e : all) {
    if (!MatchesAnyGlob(rule.match, e.name)) continue;
    if (MatchesAnyGlob(rule.exclude, e.name)) continue;
    const FileType t = e.info.type;
    if (t == FileType::kDirectory) continue;
    if (t == FileType::kOther || e.info.mount_root) {
      plan->warnings.push_back("skipped " + rule.root + "/" + e.name +
                               ": not a regular file or symlink");
      continue;
    }
    out.push_back(&e);
  }
  std::sort(out.begin(), out.end(),
            [&](const FilesEntry* a, const FilesEntry* b) {
              const WallTime ta = AgeTime(a->info, rule.age_by);
              const WallTime tb = AgeTime(b->info, rule.age_by);
              // Ties by name, so that the plan (reversed) lists them A..Z.
              return ta != tb ? ta > tb : a->name > b->name;
            });
  return out;
}

void Keep(const FilesEntry& e, WallTime t, Survivors* kept) {
  ++kept->count;
  kept->bytes += e.info.size;
  if (!kept->oldest || t < *kept->oldest) kept->oldest = t;
}

}  // namespace

Plan PlanFiles(const std::string& policy, const FilesRule& rule,
               const std::vector<FilesEntry>& entries, WallTime now) {
  Plan plan;
  plan.policy = policy;
  plan.now = now;
  const Duration deadline = std::max(rule.max_age, rule.min_age);
  plan.kept = Survivors{};
  const std::vector<const FilesEntry*> newest_first =
      Candidates(rule, entries, &plan);
  plan.scope = newest_first.size();
  for (size_t i = 0; i < newest_first.size(); ++i) {
    const FilesEntry& e = *newest_first[i];
    const WallTime t = AgeTime(e.info, rule.age_by);
    const Duration age = now - t;
    if (i < rule.keep_newest || age <= deadline) {
      Keep(e, t, &*plan.kept);
      continue;
    }
    Action a;
    a.verb = "delete";
    a.target = rule.root + "/" + e.name;
    a.bytes = e.info.size;
    a.reason =
        AgeVerb(rule.age_by) + FormatIso8601(t) + ", " +
        FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(age)) +
        " ago, past " +
        (rule.min_age > rule.max_age ? "min_age floor " : "max_age ") +
        FormatDuration(deadline);
    if (rule.keep_newest > 0) {
      a.reason += "; not among the " + std::to_string(rule.keep_newest) +
                  " newest";
    }
    a.expected = e.info;
    plan.actions.push_back(std::move(a));
  }
  std::reverse(plan.actions.begin(), plan.actions.end());  // oldest first
  return plan;
}

}  // namespace retention

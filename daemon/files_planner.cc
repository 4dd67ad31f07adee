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

Plan PlanFiles(const std::string& policy, const FilesRule& rule,
               const std::vector<FilesEntry>& entries, WallTime now) {
  Plan plan;
  plan.policy = policy;
  plan.now = now;
  const Duration deadline = std::max(rule.max_age, rule.min_age);
  plan.kept = Survivors{};
  for (const FilesEntry& e : entries) {
    if (!MatchesAnyGlob(rule.match, e.name)) continue;
    const FileType t = e.info.type;
    if (t == FileType::kDirectory) continue;
    if (t == FileType::kOther || e.info.mount_root) {
      plan.warnings.push_back("skipped " + rule.root + "/" + e.name +
                              ": not a regular file or symlink");
      continue;
    }
    ++plan.scope;
    const Duration age = now - e.info.mtime;
    if (age <= deadline) {
      Survivors& kept = *plan.kept;
      ++kept.count;
      kept.bytes += e.info.size;
      if (!kept.oldest || e.info.mtime < *kept.oldest) {
        kept.oldest = e.info.mtime;
      }
      continue;
    }
    Action a;
    a.verb = "delete";
    a.target = rule.root + "/" + e.name;
    a.bytes = e.info.size;
    a.reason =
        "modified " + FormatIso8601(e.info.mtime) + ", " +
        FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(age)) +
        " ago, past " +
        (rule.min_age > rule.max_age ? "min_age floor " : "max_age ") +
        FormatDuration(deadline);
    a.expected = e.info;
    plan.actions.push_back(std::move(a));
  }
  std::sort(plan.actions.begin(), plan.actions.end(),
            [](const Action& x, const Action& y) {
              return x.expected.mtime < y.expected.mtime;
            });
  return plan;
}

}  // namespace retention

#include "kinds/logs/keep_free_policy.h"

#include <algorithm>

#include "core/recorded_removal.h"
#include "kinds/logs/logs_set.h"

namespace retention {

KeepFreePolicy::KeepFreePolicy(SpaceLimit limit,
                               std::vector<std::shared_ptr<LogsPolicy>> sets,
                               Services& services)
    : limit_(limit), sets_(std::move(sets)), services_(services) {}

// Adds each filesystem holding a directory of `rule` once, keyed by the
// directory handle's device.
void KeepFreePolicy::AddFilesystems(
    const LogsRule& rule, std::vector<KeepFreeFilesystem>* filesystems,
    std::vector<std::string>* warnings) {
  Filesystem& fs = services_.fs;
  for (const std::string& dir : SetDirectories(rule)) {
    auto handle = fs.OpenRoot(dir);
    if (!handle.ok()) {
      // A log directory that does not exist yet holds nothing to delete.
      if (!handle.status().IsNotFound()) {
        warnings->push_back(handle.status().ToString());
      }
      continue;
    }
    const uint64_t dev = (*handle)->info().dev;
    auto known = std::find_if(
        filesystems->begin(), filesystems->end(),
        [&](const KeepFreeFilesystem& f) { return f.space_dev == dev; });
    if (known != filesystems->end()) continue;
    auto space = fs.Space(**handle);
    if (!space.ok()) {
      warnings->push_back(space.status().ToString());
      continue;
    }
    filesystems->push_back({dir, *space, {}, dev});
  }
}

StatusOr<Plan> KeepFreePolicy::MakePlan(WallTime now) {
  std::vector<std::string> warnings;
  std::vector<KeepFreeFilesystem> filesystems;
  for (const auto& set : sets_) {
    AddFilesystems(set->rule(), &filesystems, &warnings);
    auto candidates = set->SettledArchives(&warnings);
    if (!candidates.ok()) {
      // One unreadable set must not keep space from being freed elsewhere.
      warnings.push_back(set->id() + ": " + candidates.status().ToString());
      continue;
    }
    for (KeepFreeCandidate& c : *candidates) {
      for (KeepFreeFilesystem& f : filesystems) {
        if (f.space_dev == c.entry.info.dev) {
          f.candidates.push_back(std::move(c));
          break;
        }
      }
    }
  }
  Plan plan = PlanKeepFree(limit_, filesystems, now);
  plan.warnings.insert(plan.warnings.end(), warnings.begin(), warnings.end());
  return plan;
}

ExecResult KeepFreePolicy::Execute(const Plan& plan, ExecContext& ctx) {
  ExecResult result;
  for (const Action& action : plan.actions) {
    if (ctx.stopping()) break;
    if (!RemoveRecordedPath(services_.fs, id_, action, ctx, &result)) break;
  }
  return result;
}

void AddKeepFreePolicy(const Section& daemon, Services& services,
                       std::vector<std::shared_ptr<Policy>>* policies) {
  const SpaceLimit limit = daemon.GetSpaceLimit("keep_free");
  if (limit.empty()) return;
  std::vector<std::shared_ptr<LogsPolicy>> sets;
  for (const auto& policy : *policies) {
    if (auto logs = std::dynamic_pointer_cast<LogsPolicy>(policy)) {
      sets.push_back(std::move(logs));
    }
  }
  if (sets.empty()) return;
  policies->push_back(
      std::make_shared<KeepFreePolicy>(limit, std::move(sets), services));
}

}  // namespace retention

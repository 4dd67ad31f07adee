#include "kinds/logs/keep_free_planner.h"

#include <algorithm>
#include <tuple>

namespace retention {
namespace {

uint64_t Freed(const FileInfo& info) {
  return info.blocks > 0 ? info.blocks * 512 : info.size;
}

bool Older(const KeepFreeCandidate* a, const KeepFreeCandidate* b) {
  return std::tie(a->time, a->entry.dir, a->entry.name) <
         std::tie(b->time, b->entry.dir, b->entry.name);
}

std::string Shortage(const KeepFreeFilesystem& fs, const SpaceLimit& limit) {
  return "the filesystem of " + fs.where + " has " +
         FormatSize(fs.space.available) + " free, below keep_free " +
         limit.ToString();
}

void PlanFilesystem(const SpaceLimit& limit, const KeepFreeFilesystem& fs,
                    WallTime now, Plan* plan) {
  const uint64_t required = limit.RequiredOf(fs.space.total);
  plan->scope += fs.candidates.size();
  if (fs.space.available >= required) return;
  std::vector<const KeepFreeCandidate*> oldest_first;
  for (const KeepFreeCandidate& c : fs.candidates) oldest_first.push_back(&c);
  std::sort(oldest_first.begin(), oldest_first.end(), Older);
  uint64_t available = fs.space.available;
  size_t floored = 0;
  for (const KeepFreeCandidate* c : oldest_first) {
    if (available >= required) return;
    if (c->min_age > Duration::zero() && now - c->time <= c->min_age) {
      ++floored;
      continue;
    }
    Action a;
    a.verb = Verb::kDelete;
    a.target = c->entry.path();
    a.bytes = c->entry.info.size;
    a.expected = c->entry.info;
    a.reason = Shortage(fs, limit) + ": oldest rotated file across log sets (" +
               c->policy + ", rotated " + FormatIso8601(c->time) + ")";
    plan->actions.push_back(std::move(a));
    available += Freed(c->entry.info);
  }
  if (available < required) {
    plan->warnings.push_back(
        Shortage(fs, limit) + ", and no rotated log file is left to delete" +
        (floored ? " (" + std::to_string(floored) + " kept by min_age)" : ""));
  }
}

}  // namespace

Plan PlanKeepFree(const SpaceLimit& limit,
                  const std::vector<KeepFreeFilesystem>& filesystems,
                  WallTime now) {
  Plan plan;
  plan.policy = kKeepFreePolicyId;
  plan.now = now;
  for (const KeepFreeFilesystem& fs : filesystems) {
    PlanFilesystem(limit, fs, now, &plan);
  }
  return plan;
}

}  // namespace retention

#include "core/holds.h"

#include <algorithm>
#include <map>

namespace retention {
namespace {

bool IsRemoval(const Action& a) { return IsRemoval(a.verb); }

void KeepHeld(const Action& a, Plan* plan) {
  if (!plan->kept) return;
  Survivors& kept = *plan->kept;
  kept.count += a.count;
  kept.bytes += a.bytes;
  if (a.expected.mtime != WallTime{} &&
      (!kept.oldest || a.expected.mtime < *kept.oldest)) {
    kept.oldest = a.expected.mtime;
  }
}

// True when `path` is `dir` or lies below it.
bool IsAtOrBelow(const std::string& path, const std::string& dir) {
  if (path == dir) return true;
  const std::string prefix = dir.back() == '/' ? dir : dir + "/";
  return path.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

bool IsHoldKind(const std::string& kind) {
  return std::any_of(std::begin(kHoldKinds), std::end(kHoldKinds),
                     [&](const char* k) { return kind == k; });
}

bool HoldCovers(const Hold& hold, const std::string& policy,
                const Action& action) {
  if (hold.kind == "policy") return hold.target == policy;
  if (hold.kind == "account") return action.target == "account " + hold.target;
  if (hold.kind != "path") return false;
  if (IsAtOrBelow(action.target, hold.target)) return true;
  // A tree removed with the action: held when the hold is on it or above
  // it, and when the hold is on anything inside it.
  return !action.tree.empty() && (IsAtOrBelow(action.tree, hold.target) ||
                                  IsAtOrBelow(hold.target, action.tree));
}

void ApplyHolds(const std::vector<Hold>& holds, Plan* plan) {
  if (holds.empty()) return;
  std::map<size_t, uint64_t> used;  // hold index -> removals held
  std::erase_if(plan->actions, [&](const Action& a) {
    if (!IsRemoval(a)) return false;
    for (size_t i = 0; i < holds.size(); ++i) {
      if (!HoldCovers(holds[i], plan->policy, a)) continue;
      used[i] += a.count;
      KeepHeld(a, plan);
      return true;
    }
    return false;
  });
  for (const auto& [i, n] : used) {
    const Hold& h = holds[i];
    plan->warnings.push_back(std::to_string(n) + " held by the hold on " +
                             h.kind + " " + h.target + " (" + h.reason +
                             ", placed by " + h.by + ")");
  }
}

}  // namespace retention

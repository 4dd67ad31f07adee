// BudgetReserve (logs_planner.h): what max_total_size keeps free for the
// bytes that can appear before the next plan.
#include <algorithm>

#include "kinds/logs/logs_planner.h"

namespace retention {

uint64_t BudgetReserve(const LogsRule& rule, const LogSetSnapshot& snapshot) {
  const uint64_t cap = rule.max_file_size;
  if (cap == 0) return 0;
  uint64_t reserve = 0;
  for (const LogsEntry& e : snapshot.live) {
    if (e.info.type != FileType::kRegular) continue;
    // A file at its cap, or early (the watcher's notice), rotates now: its
    // bytes count as its archive, and it grows back from empty.
    auto early = snapshot.early.find(e.path());
    const bool rotating =
        e.info.size >= cap ||
        (early != snapshot.early.end() && e.info.size >= early->second.size);
    reserve += rotating ? cap : cap - e.info.size;
  }
  if (snapshot.live.empty()) return 0;
  if (rule.method == RotateMethod::kTruncate) reserve += cap;
  if (rule.compress != Compression::kNone) {
    // The plan counts the output written so far; what is left of it, or
    // the next compression's, may still come.
    uint64_t source = 0, written = 0;
    const std::string& now = snapshot.compressing_now;
    for (const LogsEntry& a : snapshot.archives) {
      if (now.empty() || a.path().rfind(now, 0) != 0) continue;
      (a.path() == now ? source : written) += a.info.size;
    }
    reserve += std::max(cap, source > written ? source - written : 0);
  }
  return reserve;
}

}  // namespace retention

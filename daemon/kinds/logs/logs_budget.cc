// The byte budget's pieces beside the planner (logs_planner.h): what
// max_total_size keeps free for the bytes that can appear before the next
// plan (BudgetReserve), what it counts beside the live files and archives
// (BudgetTransient), and what is said when it cannot be met (BudgetNotMet).
#include <algorithm>

#include "config/config_value.h"
#include "kinds/logs/logs_planner.h"
#include "kinds/logs/logs_set.h"

namespace retention {

bool InFlight(const LogSetSnapshot& snapshot, const LogsEntry& e) {
  const std::string& now = snapshot.compressing_now;
  return !now.empty() && e.path().rfind(now, 0) == 0;
}

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
    for (const LogsEntry& a : snapshot.archives) {
      if (!InFlight(snapshot, a)) continue;
      (a.path() == snapshot.compressing_now ? source : written) += a.info.size;
    }
    reserve += std::max(cap, source > written ? source - written : 0);
  }
  return reserve;
}

uint64_t BudgetTransient(const LogsRule& rule,
                         const LogSetSnapshot& snapshot) {
  uint64_t bytes = snapshot.carry_bytes;
  for (const LogsEntry& e : snapshot.archives) {
    auto name = ArchiveOfSet(rule, e.dir, e.name);
    if (name && name->temp && e.info.type == FileType::kRegular &&
        InFlight(snapshot, e)) {
      bytes += e.info.size;  // the compressor's output, growing
    }
  }
  return bytes;
}

std::string BudgetNotMet(const LogsRule& rule, uint64_t total,
                         uint64_t reserve, BudgetCause why,
                         std::string (*size)(uint64_t)) {
  std::string text = "max_total_size " + size(rule.max_total_size) +
                     " not met: the set holds " + size(total);
  if (reserve > 0) text += " + " + size(reserve) + " reserved";
  switch (why) {
    case BudgetCause::kFloored:
      return text + "; the rotated files left are younger than min_age " +
             FormatDuration(rule.min_age);
    case BudgetCause::kHeld:
      return text + "; holds keep rotated files it would delete "
                    "(retentionctl holds)";
    case BudgetCause::kLiveAlone:
      break;
  }
  // Every rotated file is planned for deletion: the live files alone
  // exceed the budget.
  text += " in live files alone";
  if (rule.max_file_size == 0) text += "; set max_file_size to rotate";
  if (reserve > 0) text += " and what they may add before the next run";
  return text;
}

}  // namespace retention

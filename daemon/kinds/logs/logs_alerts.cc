// A logs policy's standing alerts (LogsPolicy::alerts, logs_policy.h),
// which `retentionctl status` and the metric retentiond_policy_alert show:
// the budget that the last real run could not meet, and the live files
// written without O_APPEND whose heads are punched out. Also the carries,
// which the budget counts.
#include <set>
#include <string_view>

#include "base/human_format.h"
#include "kinds/logs/logs_policy.h"
#include "kinds/logs/logs_set.h"
#include "kinds/logs/rotation_intent.h"

namespace retention {

bool LogsPolicy::AddCarry(Dir& handle, const std::string& dir,
                          const std::string& name, LogSetSnapshot* snapshot) {
  // CarryName(LIVE) is "." + LIVE + suffix; NewCarryName adds ".new".
  const std::string suffix = CarryName("").substr(1);
  for (const std::string& end : {suffix, suffix + ".new"}) {
    if (name.size() <= end.size() + 1 || name[0] != '.' ||
        !name.ends_with(end)) {
      continue;
    }
    const std::string live = name.substr(1, name.size() - 1 - end.size());
    if (!IsLiveFile(rule_, dir, live)) return false;
    auto info = services_.fs.StatAt(handle, name);
    // Gone meanwhile (the rotation that used it ended): nothing to count.
    if (info.ok() && info->type == FileType::kRegular) {
      snapshot->carry_bytes += info->size;
    }
    return true;
  }
  return false;
}

void LogsPolicy::NoteBudget(const Plan& plan) {
  std::string alert;
  if (auto it = plan.alerts.find("budget"); it != plan.alerts.end()) {
    alert = it->second;
  } else if (rule_.max_total_size > 0 && plan.kept) {
    // The planner met the budget: only holds, which took some of its
    // deletions back, can have kept the set over it.
    const uint64_t total =
        plan.kept->bytes + plan.kept->live_bytes + budget_transient_;
    const uint64_t reserve = budget_reserve_;
    if (total + reserve > rule_.max_total_size) {
      alert = BudgetNotMet(rule_, total, reserve, BudgetCause::kHeld,
                           &HumanBytes);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  budget_alert_ = std::move(alert);
}

void LogsPolicy::NotePunched(const std::string& live_path, bool punched) {
  std::lock_guard<std::mutex> lock(mu_);
  if (punched) {
    punched_.insert(live_path);
  } else {
    punched_.erase(live_path);
  }
}

namespace {

// What writer_without_o_append says after its list of files.
constexpr std::string_view kPunchedRisk =
    ": written without O_APPEND (head punched out in place): no line "
    "lost, but its apparent size keeps growing (NULs from the start; "
    "writes fail at the largest file size) until the writer reopens it or "
    "uses O_APPEND";

}  // namespace

void LogsPolicy::RestoreAlerts(const PolicyAlerts& stored) {
  auto it = stored.find("writer_without_o_append");
  if (it == stored.end() || !it->second.ends_with(kPunchedRisk)) return;
  std::string files =
      it->second.substr(0, it->second.size() - kPunchedRisk.size());
  std::set<std::string> live;
  // ", " joins the files; a piece that is not one of this set's live
  // files (a path holding ", ", a set reconfigured) is not taken back.
  for (size_t start = 0; start <= files.size();) {
    size_t end = files.find(", ", start);
    if (end == std::string::npos) end = files.size();
    const std::string path = files.substr(start, end - start);
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0 &&
        IsLiveFile(rule_, path.substr(0, slash), path.substr(slash + 1))) {
      live.insert(path);
    }
    start = end + 2;
  }
  std::lock_guard<std::mutex> lock(mu_);
  punched_.insert(live.begin(), live.end());
}

PolicyAlerts LogsPolicy::alerts() const {
  std::lock_guard<std::mutex> lock(mu_);
  PolicyAlerts out;
  if (!budget_alert_.empty()) out["budget"] = budget_alert_;
  if (punched_.empty()) return out;
  std::string files;
  for (const std::string& live : punched_) {
    files += (files.empty() ? "" : ", ") + live;
  }
  // What is at risk, as the report says it (logs_report.cc).
  out["writer_without_o_append"] = files + std::string(kPunchedRisk);
  return out;
}

}  // namespace retention

// LogsPolicy's schedule when idle, and the written size of a live file
// (logs_policy.h). A set whose live files
// are all watched for their cap (SizeWatcher) and whose last plan found
// nothing to do need not be looked at every `every`. What can make it due
// is then either an event the watcher reports (a file reaching its cap:
// the budget already reserves each live file's growth up to it) or a
// deadline known from the plan: the next rotate_every boundary, and when
// the oldest archive reaches max_age. The main loop puts the next run off
// to NextWake after each run of a watched policy, so 50 quiet sets cost a
// wakeup per deadline, not one per set and minute.
#include <algorithm>

#include "kinds/logs/logs_policy.h"
#include "kinds/logs/rotation_period.h"

namespace retention {
namespace {

int64_t Ns(WallTime t) { return t.time_since_epoch().count(); }

// When the oldest kept archive is due by age: at max_age, or, if it is
// already past that and kept by the min_age floor, at min_age; nullopt
// when no age limit applies, or it is past both (a hold keeps it: the
// set is looked at every `every` as before).
std::optional<WallTime> AgeDeadline(const LogsRule& rule, const Plan& plan) {
  if (rule.max_age <= Duration::zero() || !plan.kept || !plan.kept->oldest) {
    return std::nullopt;
  }
  const WallTime oldest = *plan.kept->oldest;
  for (Duration age : {rule.max_age, rule.min_age}) {
    if (age > Duration::zero() && oldest + age > plan.now) return oldest + age;
  }
  return WallTime{};  // past both: not settled
}

}  // namespace

void LogsPolicy::NoteSettled(const Plan& plan, const LogSetSnapshot& snapshot) {
  bool settled = rule_.max_file_size > 0 && plan.actions.empty() &&
                 plan.warnings.empty() && intents_.empty() &&
                 blocked_.empty() && snapshot.compressing.empty();
  WallTime until = plan.now + std::max(rule_.every, kSettledCheck);
  if (auto age = AgeDeadline(rule_, plan)) {
    if (*age == WallTime{}) settled = false;
    until = std::min(until, *age);
  }
  settled_until_ns_ = settled ? Ns(until) : 0;
}

void LogsPolicy::CountWritten(Dir& dir, const std::string& name,
                              FileInfo* info) {
  // Only a sparse file can have a head never written; a failure to tell
  // counts the file whole (the cap then errs early, never late).
  if (info->blocks * 512 >= info->size) return;
  auto unwritten = rotator_.UnwrittenHead(dir, name, *info);
  if (unwritten.ok()) info->size -= std::min(*unwritten, info->size);
}

std::optional<WallTime> LogsPolicy::NextWake(WallTime now) const {
  std::optional<WallTime> wake;
  if (rule_.rotate_every) wake = NextPeriodStart(*rule_.rotate_every, now);
  // A deadline reached (the run it calls for is starting) is no longer
  // one: the run after it comes every `every`, until a plan settles again.
  const int64_t settled = settled_until_ns_.load();
  const WallTime next =
      settled > Ns(now) ? WallTime(Duration(settled)) : now + rule_.every;
  if (!wake || next < *wake) wake = next;
  return wake;
}

}  // namespace retention

#include "kinds/rows/rows_planner.h"

#include <algorithm>

#include "config/config_value.h"

namespace retention {
WallTime RowsCutoff(const RowsRule& rule, WallTime now) {
  return now - rule.deadline();
}

Plan PlanRows(const std::string& policy, const RowsRule& rule,
              const RowsSurvey& survey, WallTime now) {
  Plan plan;
  plan.policy = policy;
  plan.now = now;
  plan.scope =
      static_cast<uint64_t>(survey.expired + survey.kept + survey.unparseable);
  Survivors kept;
  kept.count = static_cast<uint64_t>(survey.kept + survey.unparseable);
  kept.oldest = survey.oldest_kept;
  plan.kept = kept;
  const RowsTarget& t = rule.target;
  if (survey.unparseable > 0) {
    plan.warnings.push_back(std::to_string(survey.unparseable) + " rows of " +
                            t.table + " have a " + t.time_column +
                            " that is not " + TimeFormatName(t.format) +
                            " time; skipped, never treated as old");
  }
  if (survey.dead_tuples && *survey.dead_tuples > 0) {
    plan.warnings.push_back(
        "vacuum debt: " + std::to_string(*survey.dead_tuples) +
        " dead tuples in " + t.table +
        " (pg_stat_user_tables; autovacuum reclaims them, retentiond never "
        "runs VACUUM FULL)");
  }
  if (survey.expired == 0) return plan;
  const WallTime cutoff = RowsCutoff(rule, now);
  Action a;
  a.verb = Verb::kDelete;
  a.target = t.table + ": " + std::to_string(survey.expired) + " rows with " +
             t.time_column + " before " + FormatIso8601(cutoff);
  a.count = static_cast<uint64_t>(survey.expired);
  a.reason = std::string("past ") +
             (rule.min_age > rule.max_age ? "min_age floor " : "max_age ") +
             FormatDuration(rule.deadline());
  if (survey.oldest_expired) a.expected.mtime = *survey.oldest_expired;
  plan.actions.push_back(std::move(a));
  return plan;
}

std::string RemovedRowsTarget(const RowsRule& rule, const RowsBatch& removed) {
  // PostgreSQL rows have no stable number (rows_database.h: RowsBatch).
  if (rule.target.postgres()) return rule.target.table + " (by ctid)";
  return rule.target.table + " rowid " + std::to_string(removed.min_rowid) +
         ".." + std::to_string(removed.max_rowid);
}

void BatchSizer::Observe(int64_t rows, Duration hold) {
  if (rows < size_) return;  // the last batch: it says nothing of the rate
  int64_t next = size_ * 2;
  if (hold > Duration::zero()) {
    const double scale = static_cast<double>(pacing_.target_hold.count()) /
                         static_cast<double>(hold.count());
    next = static_cast<int64_t>(static_cast<double>(rows) * scale);
  }
  next = std::clamp(next, size_ / 2, size_ * 2);
  size_ = std::clamp(next, kMinRows, kMaxRows);
}

Duration BatchSizer::PauseAfter(Duration hold, double factor) {
  const auto pause = std::chrono::duration_cast<Duration>(hold * factor);
  return std::max<Duration>(pause, std::chrono::milliseconds(1));
}

Duration BusyBackoff::Next() {
  if (waited_ >= kGiveUpAfter) return Duration::zero();
  const Duration wait = next_;
  waited_ += wait;
  next_ = std::min<Duration>(next_ * 2, std::chrono::seconds(2));
  return wait;
}

}  // namespace retention

// StateDb::PolicyStatistics: aggregate queries for metrics, kept apart from
// the record-keeping in state_db.cc. Both scan their table; fine for the
// sizes a state database reaches between ledger archivals, and done in
// SQLite rather than by reading every row into the daemon.
#include <algorithm>

#include "core/state_db.h"
#include "sql/sqlite_connection.h"

namespace retention {

StatusOr<std::map<std::string, PolicyStats>> StateDb::PolicyStatistics() {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, PolicyStats> stats;
  StatusOr<SqliteStatement> runs = db_->Prepare(
      "SELECT policy, outcome, count(*), "
      "max(CASE WHEN outcome = 'ok' THEN finished_ns END) "
      "FROM runs WHERE dry_run = 0 AND outcome <> 'running' "
      "GROUP BY policy, outcome");
  if (!runs.ok()) return runs.status();
  for (;;) {
    StatusOr<bool> row = runs->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    PolicyStats& s = stats[runs->ColumnText(0)];
    s.runs_by_outcome[runs->ColumnText(1)] = runs->ColumnInt64(2);
    if (!runs->ColumnIsNull(3)) {
      s.last_success = WallTime(Duration(runs->ColumnInt64(3)));
    }
  }
  StatusOr<SqliteStatement> removed = db_->Prepare(
      "SELECT policy, sum(\"count\"), sum(bytes) FROM ledger "
      "WHERE action IN ('delete', 'purge') GROUP BY policy");
  if (!removed.ok()) return removed.status();
  for (;;) {
    StatusOr<bool> row = removed->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    PolicyStats& s = stats[removed->ColumnText(0)];
    s.removed_items = removed->ColumnInt64(1);
    s.removed_bytes = removed->ColumnInt64(2);
  }
  StatusOr<SqliteStatement> logs = db_->Prepare(
      "SELECT policy, sum(action = 'rotate'), "
      "sum(CASE WHEN action = 'compress' THEN bytes ELSE 0 END) FROM ledger "
      "WHERE action IN ('rotate', 'compress') GROUP BY policy");
  if (!logs.ok()) return logs.status();
  for (;;) {
    StatusOr<bool> row = logs->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    PolicyStats& s = stats[logs->ColumnText(0)];
    s.rotations = logs->ColumnInt64(1);
    s.compressed_bytes = logs->ColumnInt64(2);
  }
  return stats;
}

StatusOr<std::vector<std::pair<WallTime, uint64_t>>> StateDb::MeasuredSizes(
    const std::string& policy, WallTime since, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> q = db_->Prepare(
      "SELECT finished_ns, kept_bytes + live_bytes FROM runs "
      "WHERE policy = ? AND dry_run = 0 AND kept IS NOT NULL "
      "AND finished_ns >= ? ORDER BY id DESC LIMIT ?");
  if (!q.ok()) return q.status();
  q->Bind(1, policy)
      .Bind(2, int64_t(since.time_since_epoch().count()))
      .Bind(3, int64_t(std::min<size_t>(limit, INT64_MAX)));
  std::vector<std::pair<WallTime, uint64_t>> sizes;
  for (;;) {
    StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    sizes.emplace_back(WallTime(Duration(q->ColumnInt64(0))),
                       uint64_t(std::max<int64_t>(q->ColumnInt64(1), 0)));
  }
  std::reverse(sizes.begin(), sizes.end());
  return sizes;
}

}  // namespace retention

// StateDb::PolicyStatistics: aggregate queries for metrics, kept apart from
// the record-keeping in state_db.cc. Both scan their table; fine for the
// sizes a state database reaches between ledger archivals, and done in
// SQLite rather than by reading every row into the daemon.
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

}  // namespace retention

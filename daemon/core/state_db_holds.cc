// StateDb's holds table (schema 4).
#include "core/state_db.h"
#include "sql/sqlite_connection.h"

namespace retention {

Status StateDb::AddHold(const Hold& hold) {
  if (hold.kind.empty() || hold.target.empty()) {
    return Status::InvalidArgument("a hold needs a kind and a target");
  }
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt = db_->Prepare(
      "INSERT INTO holds (kind, target, reason, placed_by, since_ns) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, target) DO UPDATE SET "
      "reason = excluded.reason, placed_by = excluded.placed_by, "
      "since_ns = excluded.since_ns");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, hold.kind)
      .Bind(2, hold.target)
      .Bind(3, hold.reason)
      .Bind(4, hold.by)
      .Bind(5, static_cast<int64_t>(hold.since.time_since_epoch().count()));
  return stmt->Run();
}

StatusOr<bool> StateDb::RemoveHold(const std::string& kind,
                                   const std::string& target) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt =
      db_->Prepare("DELETE FROM holds WHERE kind = ? AND target = ?");
  if (!stmt.ok()) return stmt.status();
  RETENTION_RETURN_IF_ERROR(stmt->Bind(1, kind).Bind(2, target).Run());
  return db_->Changes() > 0;
}

StatusOr<std::vector<Hold>> StateDb::Holds() {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt = db_->Prepare(
      "SELECT kind, target, reason, placed_by, since_ns FROM holds "
      "ORDER BY kind, target");
  if (!stmt.ok()) return stmt.status();
  std::vector<Hold> holds;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    holds.push_back(Hold{stmt->ColumnText(0), stmt->ColumnText(1),
                         stmt->ColumnText(2), stmt->ColumnText(3),
                         WallTime(Duration(stmt->ColumnInt64(4)))});
  }
  return holds;
}

}  // namespace retention

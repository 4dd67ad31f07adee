// StateDb's alerts table (schema 9): each policy's standing alerts.
#include "core/state_db.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

int64_t Nanos(WallTime t) {
  return static_cast<int64_t>(t.time_since_epoch().count());
}

// `policy`'s stored alerts, by name. The caller holds the lock.
StatusOr<std::vector<StandingAlert>> Stored(SqliteConnection& db,
                                            const std::string& policy) {
  StatusOr<SqliteStatement> stmt = db.Prepare(
      "SELECT name, text, since_ns FROM alerts WHERE policy = ? "
      "ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, policy);
  std::vector<StandingAlert> out;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(StandingAlert{stmt->ColumnText(0), stmt->ColumnText(1),
                                WallTime(Duration(stmt->ColumnInt64(2)))});
  }
}

}  // namespace

StatusOr<std::vector<StandingAlert>> StateDb::SetAlerts(
    const std::string& policy,
    const std::map<std::string, std::string>& alerts, WallTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  SqliteTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(tx.Begin(SqliteTransaction::Kind::kImmediate));
  StatusOr<std::vector<StandingAlert>> before = Stored(*db_, policy);
  if (!before.ok()) return before.status();
  for (const StandingAlert& a : *before) {
    if (alerts.count(a.name)) continue;
    StatusOr<SqliteStatement> drop =
        db_->Prepare("DELETE FROM alerts WHERE policy = ? AND name = ?");
    if (!drop.ok()) return drop.status();
    RETENTION_RETURN_IF_ERROR(drop->Bind(1, policy).Bind(2, a.name).Run());
  }
  for (const auto& [name, text] : alerts) {
    StatusOr<SqliteStatement> put = db_->Prepare(
        "INSERT INTO alerts (policy, name, text, since_ns) VALUES (?, ?, ?, "
        "?) ON CONFLICT (policy, name) DO UPDATE SET text = excluded.text");
    if (!put.ok()) return put.status();
    RETENTION_RETURN_IF_ERROR(
        put->Bind(1, policy).Bind(2, name).Bind(3, text).Bind(4, Nanos(now))
            .Run());
  }
  StatusOr<std::vector<StandingAlert>> after = Stored(*db_, policy);
  if (!after.ok()) return after.status();
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  return after;
}

StatusOr<std::map<std::string, std::vector<StandingAlert>>> StateDb::Alerts() {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt = db_->Prepare(
      "SELECT policy, name, text, since_ns FROM alerts ORDER BY policy, name");
  if (!stmt.ok()) return stmt.status();
  std::map<std::string, std::vector<StandingAlert>> out;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out[stmt->ColumnText(0)].push_back(
        StandingAlert{stmt->ColumnText(1), stmt->ColumnText(2),
                      WallTime(Duration(stmt->ColumnInt64(3)))});
  }
}

}  // namespace retention

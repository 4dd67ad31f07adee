#include "kinds/occupancy/occupancy_sqlite_store.h"

#include "sql/sqlite_connection.h"

namespace retention {

StatusOr<std::map<std::string, uint64_t>> ReadQuotas(
    const SqliteTarget& from, const std::string& id_column) {
  auto db = SqliteConnection::Open(from.path, SqliteConnection::OpenMode::kReadOnly);
  if (!db.ok()) return db.status();
  // Names were checked to be identifiers when the config was loaded.
  StatusOr<SqliteStatement> q = (*db)->Prepare(
      "SELECT \"" + id_column + "\", \"" + from.column + "\" FROM \"" +
      from.table + "\" WHERE \"" + from.column + "\" >= 0");
  if (!q.ok()) return q.status();
  std::map<std::string, uint64_t> quotas;
  for (;;) {
    StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    quotas[q->ColumnText(0)] = uint64_t(q->ColumnInt64(1));
  }
  return quotas;
}

Status PublishOccupancy(const SqliteTarget& to,
                        const OccupancyScanRecord& scan) {
  auto db = SqliteConnection::Open(to.path, SqliteConnection::OpenMode::kReadWriteCreate);
  if (!db.ok()) return db.status();
  SqliteConnection& conn = **db;
  const std::string table = "\"" + to.table + "\"";
  RETENTION_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS " + table +
                " (user_id TEXT PRIMARY KEY, allocated_bytes INTEGER NOT NULL, "
                "apparent_bytes INTEGER NOT NULL, files INTEGER NOT NULL, "
                "measured_at INTEGER NOT NULL)"));
  SqliteTransaction tx(conn);
  RETENTION_RETURN_IF_ERROR(tx.Begin(SqliteTransaction::Kind::kImmediate));
  StatusOr<SqliteStatement> upsert = conn.Prepare(
      "INSERT INTO " + table +
      " (user_id, allocated_bytes, apparent_bytes, files, measured_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
      "allocated_bytes = excluded.allocated_bytes, "
      "apparent_bytes = excluded.apparent_bytes, files = excluded.files, "
      "measured_at = excluded.measured_at");
  if (!upsert.ok()) return upsert.status();
  const int64_t at = ToUnixSeconds(scan.finished);
  for (const OccupancyRow& u : scan.users) {
    upsert->Reset();
    upsert->Bind(1, u.user).Bind(2, int64_t(u.allocated));
    upsert->Bind(3, int64_t(u.apparent)).Bind(4, int64_t(u.files));
    upsert->Bind(5, at);
    RETENTION_RETURN_IF_ERROR(upsert->Run());
  }
  return tx.Commit();
}

}  // namespace retention

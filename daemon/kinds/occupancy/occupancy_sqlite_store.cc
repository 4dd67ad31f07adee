// The SQLite half of occupancy_database.h.
#include "kinds/occupancy/occupancy_database.h"

#include <sqlite3.h>

#include "sql/sqlite_connection.h"

namespace retention {
namespace {

// Names were checked to be identifiers when the config was loaded.
std::string QuotaSql(const OccupancyTarget& from, const std::string& id_column) {
  return "SELECT \"" + id_column + "\", \"" + from.column + "\" FROM \"" +
         from.table + "\" WHERE \"" + from.column + "\" >= 0";
}

std::string UpsertSql(const std::string& table) {
  return "INSERT INTO " + table +
         " (user_id, allocated_bytes, apparent_bytes, files, measured_at) "
         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
         "allocated_bytes = excluded.allocated_bytes, "
         "apparent_bytes = excluded.apparent_bytes, files = excluded.files, "
         "measured_at = excluded.measured_at";
}

// Whether `path` exists, asked through SQLite's VFS (access(2)).
bool PathExists(const std::string& path) {
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  int exists = 0;
  return vfs != nullptr &&
         vfs->xAccess(vfs, path.c_str(), SQLITE_ACCESS_EXISTS, &exists) ==
             SQLITE_OK &&
         exists != 0;
}

}  // namespace

StatusOr<std::map<std::string, uint64_t>> ReadSqliteQuotas(
    const OccupancyTarget& from, const std::string& id_column) {
  auto db =
      SqliteConnection::Open(from.path, SqliteConnection::OpenMode::kReadOnly);
  if (!db.ok()) return db.status();
  StatusOr<SqliteStatement> q = (*db)->Prepare(QuotaSql(from, id_column));
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

Status PublishSqliteOccupancy(const OccupancyTarget& to,
                        const OccupancyScanRecord& scan) {
  auto db = SqliteConnection::Open(
      to.path, SqliteConnection::OpenMode::kReadWriteCreate);
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
  StatusOr<SqliteStatement> upsert = conn.Prepare(UpsertSql(table));
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

Status CheckSqliteQuotaSource(const OccupancyTarget& from,
                        const std::string& id_column) {
  auto db =
      SqliteConnection::Open(from.path, SqliteConnection::OpenMode::kReadOnly);
  if (!db.ok()) return db.status();
  // Preparing resolves the table and both columns; no row is read.
  return (*db)->Prepare(QuotaSql(from, id_column)).status();
}

Status CheckSqlitePublishTarget(const OccupancyTarget& to) {
  if (!PathExists(to.path)) {
    const size_t slash = to.path.rfind('/');
    const std::string dir =
        slash == std::string::npos ? "." : to.path.substr(0, slash + 1);
    if (PathExists(dir)) return Status::Ok();  // created at the first run
    return Status::NotFound(to.path + ": neither it nor its directory " + dir +
                            " exists");
  }
  auto db =
      SqliteConnection::Open(to.path, SqliteConnection::OpenMode::kReadOnly);
  if (!db.ok()) return db.status();
  StatusOr<SqliteStatement> exists = (*db)->Prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  if (!exists.ok()) return exists.status();
  exists->Bind(1, to.table);
  StatusOr<bool> row = exists->Step();
  if (!row.ok() || !*row) return row.status();  // missing: created then
  // Preparing the very upsert checks the columns and its conflict target.
  return (*db)->Prepare(UpsertSql("\"" + to.table + "\"")).status();
}

}  // namespace retention

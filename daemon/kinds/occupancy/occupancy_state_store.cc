// OccupancyStore (occupancy_state_store.h): scans of the [occupancy] root and
// each user's usage in them, for trends, the report's chart and quota
// transitions (the newest scan's `over` is the state a transition changes).
#include "kinds/occupancy/occupancy_state_store.h"

#include "sql/sqlite_connection.h"

namespace retention {
namespace {

int64_t Ns(WallTime t) { return t.time_since_epoch().count(); }

Status InsertUsers(SqliteConnection& db, const OccupancyScanRecord& scan) {
  StatusOr<SqliteStatement> insert = db.Prepare(
      "INSERT INTO occupancy (scan, user, allocated, apparent, files, dirs, "
      "quota, over) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  for (const OccupancyRow& u : scan.users) {
    insert->Reset();
    insert->Bind(1, scan.id).Bind(2, u.user).Bind(3, int64_t(u.allocated));
    insert->Bind(4, int64_t(u.apparent)).Bind(5, int64_t(u.files));
    insert->Bind(6, int64_t(u.dirs)).Bind(7, int64_t(u.quota));
    insert->Bind(8, int64_t(u.over));
    RETENTION_RETURN_IF_ERROR(insert->Run());
  }
  return Status::Ok();
}

OccupancyRow ReadRow(const SqliteStatement& q) {
  OccupancyRow r;
  r.user = q.ColumnText(0);
  r.allocated = q.ColumnInt64(1);
  r.apparent = q.ColumnInt64(2);
  r.files = q.ColumnInt64(3);
  r.dirs = q.ColumnInt64(4);
  r.quota = q.ColumnInt64(5);
  r.over = q.ColumnInt64(6) != 0;
  return r;
}

}  // namespace

Status OccupancyStore::RecordOccupancy(OccupancyScanRecord* scan) {
  StateDb::Locked db = state_.Lock();
  SqliteTransaction tx(*db);
  RETENTION_RETURN_IF_ERROR(tx.Begin(SqliteTransaction::Kind::kImmediate));
  StatusOr<SqliteStatement> add = db->Prepare(
      "INSERT INTO occupancy_scans (finished_ns, duration_ns, entries, "
      "warnings) VALUES (?, ?, ?, ?)");
  if (!add.ok()) return add.status();
  add->Bind(1, Ns(scan->finished)).Bind(2, int64_t(scan->duration.count()));
  add->Bind(3, int64_t(scan->entries)).Bind(4, int64_t(scan->warnings));
  RETENTION_RETURN_IF_ERROR(add->Run());
  scan->id = db->LastInsertRowId();
  RETENTION_RETURN_IF_ERROR(InsertUsers(*db, *scan));
  StatusOr<SqliteStatement> prune =
      db->Prepare("DELETE FROM occupancy_scans WHERE finished_ns < ?");
  if (!prune.ok()) return prune.status();
  prune->Bind(1, Ns(scan->finished - kOccupancyKeep));
  RETENTION_RETURN_IF_ERROR(prune->Run());
  return tx.Commit();
}

StatusOr<std::optional<OccupancyScanRecord>> OccupancyStore::LatestOccupancy() {
  StateDb::Locked db = state_.Lock();
  StatusOr<SqliteStatement> q = db->Prepare(
      "SELECT id, finished_ns, duration_ns, entries, warnings "
      "FROM occupancy_scans ORDER BY id DESC LIMIT 1");
  if (!q.ok()) return q.status();
  StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<OccupancyScanRecord>();
  OccupancyScanRecord scan;
  scan.id = q->ColumnInt64(0);
  scan.finished = WallTime(Duration(q->ColumnInt64(1)));
  scan.duration = Duration(q->ColumnInt64(2));
  scan.entries = q->ColumnInt64(3);
  scan.warnings = q->ColumnInt64(4);
  StatusOr<SqliteStatement> users = db->Prepare(
      "SELECT user, allocated, apparent, files, dirs, quota, over "
      "FROM occupancy WHERE scan = ? ORDER BY user");
  if (!users.ok()) return users.status();
  users->Bind(1, scan.id);
  for (;;) {
    StatusOr<bool> next = users->Step();
    if (!next.ok()) return next.status();
    if (!*next) break;
    scan.users.push_back(ReadRow(*users));
  }
  return std::optional<OccupancyScanRecord>(std::move(scan));
}

StatusOr<std::map<std::string, std::vector<OccupancyPoint>>>
OccupancyStore::OccupancyHistory(const std::vector<std::string>& users,
                                 size_t scans) {
  StateDb::Locked db = state_.Lock();
  StatusOr<SqliteStatement> q = db->Prepare(
      "SELECT s.finished_ns, o.allocated FROM occupancy o "
      "JOIN occupancy_scans s ON s.id = o.scan WHERE o.user = ? "
      "AND o.scan IN (SELECT id FROM occupancy_scans ORDER BY id DESC "
      "LIMIT ?) ORDER BY o.scan");
  if (!q.ok()) return q.status();
  std::map<std::string, std::vector<OccupancyPoint>> out;
  for (const std::string& user : users) {
    q->Reset();
    q->Bind(1, user).Bind(2, int64_t(scans));
    std::vector<OccupancyPoint>& points = out[user];
    for (;;) {
      StatusOr<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      points.push_back(
          {WallTime(Duration(q->ColumnInt64(0))), uint64_t(q->ColumnInt64(1))});
    }
  }
  return out;
}

}  // namespace retention

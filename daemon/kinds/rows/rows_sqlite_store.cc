// The SQLite implementation of the Database seam (rows_database.h). Every
// statement is built once from validated, quoted identifiers and the
// policy's `where` text (checked by ValidateWhereText and compiled as one
// statement); the cutoff and batch size are bound parameters.
//
// The cutoff is compared in the column's own format, so the index on the
// time column serves every query. Values that do not fit the format are
// outside the "old" range by SQLite's type order (NULL never compares;
// text and blobs sort after every number), and ISO-8601 text is also
// required to parse (julianday() is not NULL).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "kinds/rows/rows_database.h"
#include "kinds/rows/rows_rule.h"
#include "sql/sql_time.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

constexpr double kUnixEpochJulianDay = 2440587.5;
constexpr double kSecondsPerDay = 86400.0;

double UnixSeconds(WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

WallTime FromSeconds(double s) { return WallTimeFromSeconds(s); }

// The fragments of SQL for one target.
struct RowsSql {
  std::string table;    // quoted
  std::string column;   // quoted
  std::string match;    // "(where)", or "1"
  std::string old;      // before the cutoff; :cutoff, and :upper for ISO
  std::string kept;     // at or after it; :cutoff, and :lower for ISO
  std::string seconds;  // the column as unix seconds (real)
  std::string bad;      // present but not a time (NULLs are counted apart)
};

RowsSql BuildSql(const RowsTarget& t) {
  RowsSql q;
  q.table = QuoteIdentifier(t.table);
  q.column = QuoteIdentifier(t.time_column);
  const std::string& c = q.column;
  q.match = t.where.empty() ? "1" : "(" + t.where + ")";
  if (t.format == TimeFormat::kIso8601) {
    // The text range serves the index; julianday() decides exactly. A
    // value with a positive UTC offset sorts late and is removed late,
    // never early.
    const std::string parsed =
        "typeof(" + c + ") = 'text' AND julianday(" + c + ")";
    q.old = c + " < :upper AND " + parsed + " < :cutoff";
    q.kept = c + " >= :lower AND " + parsed + " >= :cutoff";
    q.seconds = SqlTimeSeconds(t.format, c);
    q.bad = c + " < :upper AND (typeof(" + c + ") <> 'text' OR julianday(" + c +
            ") IS NULL)";
    return q;
  }
  q.old = c + " < :cutoff";
  q.kept = c + " >= :cutoff AND " + c + " < ''";  // numbers only
  q.bad = c + " >= ''";                           // text and blobs
  q.seconds = SqlTimeSeconds(t.format, c);
  return q;
}

std::string IsoText(WallTime t, const char* layout) {
  const std::time_t secs = static_cast<std::time_t>(std::floor(UnixSeconds(t)));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, layout, &tm);
  return buf;
}

// Binds `cutoff` to parameter `at` in the column's format, so that no row
// at or after it ever compares as older: whole units are floored, julian
// days lose a millisecond.
void BindCutoffValue(SqliteStatement& stmt, int at, TimeFormat format,
                     WallTime cutoff) {
  const double s = UnixSeconds(cutoff);
  switch (format) {
    case TimeFormat::kUnixSeconds:
      stmt.Bind(at, static_cast<int64_t>(std::floor(s)));
      break;
    case TimeFormat::kUnixMillis:
      stmt.Bind(at, static_cast<int64_t>(std::floor(s * 1000.0)));
      break;
    case TimeFormat::kJulianDay:
    case TimeFormat::kIso8601:
    case TimeFormat::kNative:  // refused for SQLite at load
      stmt.BindDouble(at, (s - 0.001) / kSecondsPerDay + kUnixEpochJulianDay);
      break;
  }
}

// Binds whichever of :cutoff, :upper, :lower the statement has.
void BindCutoff(SqliteStatement& stmt, TimeFormat format, WallTime cutoff) {
  if (int at = stmt.ParameterIndex(":cutoff"); at > 0) {
    BindCutoffValue(stmt, at, format, cutoff);
  }
  // The 'T' layout sorts after the ' ' layout of the same second, so it
  // bounds old rows of either layout from above.
  if (int at = stmt.ParameterIndex(":upper"); at > 0) {
    stmt.Bind(at, IsoText(cutoff, "%Y-%m-%dT%H:%M:%S"));
  }
  if (int at = stmt.ParameterIndex(":lower"); at > 0) {
    stmt.Bind(at, IsoText(cutoff - std::chrono::hours(24), "%Y-%m-%d"));
  }
}

// Where batches leave their marks (rows_database.h: BatchMark).
constexpr char kCreateMarks[] =
    "CREATE TABLE IF NOT EXISTS retentiond_batches (policy TEXT PRIMARY KEY, "
    "intent INTEGER NOT NULL, rows INTEGER NOT NULL, min_rowid INTEGER NOT "
    "NULL, max_rowid INTEGER NOT NULL)";

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<SqliteConnection> db, const RowsTarget& target)
      : db_(std::move(db)), target_(target), sql_(BuildSql(target)) {}

  Status Check(bool allow_full_scan) override;
  StatusOr<RowsSurvey> Survey(WallTime cutoff) override;
  StatusOr<RowsBatch> DeleteBatch(WallTime cutoff, int64_t limit,
                                  const BatchMark& mark) override;
  StatusOr<std::optional<RowsMark>> ReadMark(
      const std::string& policy) override;
  Duration Checkpoint() override {
    const auto start = std::chrono::steady_clock::now();
    // Not finishing is fine (see rows_database.h); the next one goes further.
    (void)db_->Exec("PRAGMA wal_checkpoint(PASSIVE)");
    return std::chrono::steady_clock::now() - start;
  }
  void Pause(Duration d) override { std::this_thread::sleep_for(d); }

 private:
  std::string SelectOld() const {
    return "SELECT rowid FROM " + sql_.table + " WHERE " + sql_.old + " AND " +
           sql_.match + " ORDER BY " + sql_.column + " LIMIT :limit";
  }
  Status CheckTable();
  // Adds `batch` to the policy's mark, inside the batch's transaction.
  Status WriteMark(const BatchMark& mark, const RowsBatch& batch);
  Status CheckIndex(bool allow_full_scan);
  StatusOr<std::vector<std::string>> TimeIndexes();
  // count(*) and min(seconds) of matching rows where `predicate` holds.
  Status CountRows(const std::string& predicate, WallTime cutoff,
                   int64_t* count, std::optional<WallTime>* oldest);
  StatusOr<int64_t> CountOnly(const std::string& predicate, WallTime cutoff);

  std::unique_ptr<SqliteConnection> db_;
  RowsTarget target_;
  RowsSql sql_;
};

Status SqliteDatabase::CheckTable() {
  auto stmt = db_->Prepare(
      "SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND "
      "name = ?1 COLLATE NOCASE");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, target_.table);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return Status::NotFound("no table " + target_.table + " in " +
                            target_.name());
  }
  if (stmt->ColumnText(0) != "table" || stmt->ColumnInt64(1) != 0) {
    return Status::InvalidArgument(target_.table + " in " + target_.path +
                                   " is a view or a WITHOUT ROWID table; "
                                   "rows policies need a rowid table");
  }
  auto col = db_->Prepare(
      "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE");
  if (!col.ok()) return col.status();
  col->Bind(1, target_.table).Bind(2, target_.time_column);
  auto has = col->Step();
  if (!has.ok()) return has.status();
  if (!*has) {
    return Status::NotFound("no column " + target_.time_column + " in " +
                            target_.table + " (" + target_.path + ")");
  }
  return Status::Ok();
}

StatusOr<std::vector<std::string>> SqliteDatabase::TimeIndexes() {
  auto stmt = db_->Prepare(
      "SELECT il.name FROM pragma_index_list(?1) AS il, "
      "pragma_index_info(il.name) AS ii WHERE ii.seqno = 0 AND "
      "ii.name = ?2 COLLATE NOCASE");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, target_.table).Bind(2, target_.time_column);
  std::vector<std::string> names;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return names;
    names.push_back(stmt->ColumnText(0));
  }
}

Status SqliteDatabase::CheckIndex(bool allow_full_scan) {
  auto plan = db_->PrepareSingle("EXPLAIN QUERY PLAN " + SelectOld());
  if (!plan.ok()) return plan.status();
  std::string details;
  for (;;) {
    auto row = plan->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    details += (details.empty() ? "" : "; ") + plan->ColumnText(3);
  }
  if (allow_full_scan) return Status::Ok();
  auto indexes = TimeIndexes();
  if (!indexes.ok()) return indexes.status();
  for (const std::string& name : *indexes) {
    // The space after the name keeps events_ts from matching events_ts2.
    if ((details + " ").find("INDEX " + name + " ") != std::string::npos) {
      return Status::Ok();
    }
  }
  const std::string index = target_.table + "_" + target_.time_column;
  return Status::InvalidArgument(
      "finding expired rows of " + target_.table +
      " does not use an index on " + target_.time_column +
      " (query plan: " + details + "); create one with: CREATE INDEX " + index +
      " ON " + target_.table + "(" + target_.time_column +
      "); or set allow_full_scan = yes");
}

Status SqliteDatabase::Check(bool allow_full_scan) {
  RETENTION_RETURN_IF_ERROR(CheckTable());
  auto select = db_->PrepareSingle(SelectOld());
  if (!select.ok()) {
    return Status::InvalidArgument("where does not compile against " +
                                   target_.table + ": " +
                                   select.status().message());
  }
  return CheckIndex(allow_full_scan);
}

Status SqliteDatabase::CountRows(const std::string& predicate, WallTime cutoff,
                                 int64_t* count,
                                 std::optional<WallTime>* oldest) {
  auto stmt =
      db_->Prepare("SELECT count(*), min(" + sql_.seconds + ") FROM " +
                   sql_.table + " WHERE " + predicate + " AND " + sql_.match);
  if (!stmt.ok()) return stmt.status();
  BindCutoff(*stmt, target_.format, cutoff);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  *count = stmt->ColumnInt64(0);
  if (!stmt->ColumnIsNull(1)) *oldest = FromSeconds(stmt->ColumnDouble(1));
  return Status::Ok();
}

StatusOr<int64_t> SqliteDatabase::CountOnly(const std::string& predicate,
                                            WallTime cutoff) {
  int64_t n = 0;
  std::optional<WallTime> unused;
  RETENTION_RETURN_IF_ERROR(CountRows(predicate, cutoff, &n, &unused));
  return n;
}

StatusOr<RowsSurvey> SqliteDatabase::Survey(WallTime cutoff) {
  SqliteTransaction read(*db_);
  RETENTION_RETURN_IF_ERROR(read.Begin(SqliteTransaction::Kind::kDeferred));
  RowsSurvey s;
  RETENTION_RETURN_IF_ERROR(
      CountRows(sql_.old, cutoff, &s.expired, &s.oldest_expired));
  RETENTION_RETURN_IF_ERROR(
      CountRows(sql_.kept, cutoff, &s.kept, &s.oldest_kept));
  for (const std::string& p : {sql_.column + " IS NULL", sql_.bad}) {
    auto n = CountOnly(p, cutoff);
    if (!n.ok()) return n.status();
    s.unparseable += *n;
  }
  RETENTION_RETURN_IF_ERROR(read.Commit());
  return s;
}

StatusOr<RowsBatch> SqliteDatabase::DeleteBatch(WallTime cutoff, int64_t limit,
                                                const BatchMark& mark) {
  auto stmt = db_->Prepare("DELETE FROM " + sql_.table + " WHERE rowid IN (" +
                           SelectOld() + ") RETURNING rowid, " + sql_.seconds);
  if (!stmt.ok()) return stmt.status();
  BindCutoff(*stmt, target_.format, cutoff);
  stmt->Bind(stmt->ParameterIndex(":limit"), limit);
  SqliteTransaction write(*db_);
  RETENTION_RETURN_IF_ERROR(write.Begin(SqliteTransaction::Kind::kImmediate));
  const auto start = std::chrono::steady_clock::now();
  RowsBatch batch;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t rowid = stmt->ColumnInt64(0);
    const WallTime t = FromSeconds(stmt->ColumnDouble(1));
    if (batch.removed++ == 0) batch.min_rowid = batch.max_rowid = rowid;
    batch.min_rowid = std::min(batch.min_rowid, rowid);
    batch.max_rowid = std::max(batch.max_rowid, rowid);
    if (!batch.oldest || t < *batch.oldest) batch.oldest = t;
  }
  stmt->Reset();  // a finished RETURNING statement must not block COMMIT
  RETENTION_RETURN_IF_ERROR(WriteMark(mark, batch));
  RETENTION_RETURN_IF_ERROR(write.Commit());
  batch.hold = std::chrono::steady_clock::now() - start;
  batch.wal_frames = db_->wal_frames();
  return batch;
}

Status SqliteDatabase::WriteMark(const BatchMark& mark,
                                 const RowsBatch& batch) {
  if (mark.intent == 0 || batch.removed == 0) return Status::Ok();
  RETENTION_RETURN_IF_ERROR(db_->Exec(kCreateMarks));
  // A new intent starts the policy's row afresh; the same one adds to it.
  auto stmt = db_->Prepare(
      "INSERT INTO retentiond_batches (policy, intent, rows, min_rowid, "
      "max_rowid) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (policy) DO UPDATE "
      "SET rows = CASE WHEN intent = ?2 THEN rows + ?3 ELSE ?3 END, "
      "min_rowid = CASE WHEN intent = ?2 THEN min(min_rowid, ?4) ELSE ?4 END, "
      "max_rowid = CASE WHEN intent = ?2 THEN max(max_rowid, ?5) ELSE ?5 END, "
      "intent = ?2");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, mark.policy)
      .Bind(2, mark.intent)
      .Bind(3, batch.removed)
      .Bind(4, batch.min_rowid)
      .Bind(5, batch.max_rowid)
      .Run();
}

StatusOr<std::optional<RowsMark>> SqliteDatabase::ReadMark(
    const std::string& policy) {
  auto exists = db_->Prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
      "name = 'retentiond_batches'");
  if (!exists.ok()) return exists.status();
  auto has = exists->Step();
  if (!has.ok()) return has.status();
  if (!*has) return std::optional<RowsMark>();
  auto stmt = db_->Prepare(
      "SELECT intent, rows, min_rowid, max_rowid FROM retentiond_batches "
      "WHERE policy = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, policy);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<RowsMark>();
  return std::optional<RowsMark>(
      RowsMark{stmt->ColumnInt64(0), stmt->ColumnInt64(1), stmt->ColumnInt64(2),
               stmt->ColumnInt64(3)});
}

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenSqliteDatabase(const RowsTarget& target,
                                                       bool read_only,
                                                       Duration busy_timeout) {
  auto db = OpenAppDatabase(target.path, read_only, busy_timeout);
  if (!db.ok()) return db.status();
  // No fsync inside the write lock: in WAL mode a commit is then durable
  // at the next checkpoint. A deletion lost to a power cut is redone by the
  // next run, which is the worst it can cost.
  // Nor an automatic checkpoint after a COMMIT, which would count as lock
  // hold: the policy checkpoints between batches itself.
  if (!read_only) {
    RETENTION_RETURN_IF_ERROR((*db)->Exec(
        "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0"));
    (*db)->TrackWalFrames();
  }
  return std::unique_ptr<Database>(new SqliteDatabase(std::move(*db), target));
}

}  // namespace retention

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "db_test_util.h"
#include "sql/sqlite_connection.h"

namespace retention::sqlite_db_test {
namespace {

std::unique_ptr<SqliteConnection> CreateDb(const TempDir& dir) {
  StatusOr<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(
      dir.File("app.db"), SqliteConnection::OpenMode::kReadWriteCreate);
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(*db);
}

TEST_CASE("sqlite result codes map to status codes") {
  using C = Status::Code;
  auto [rc, code] = GENERATE(table<int, C>({
      {SQLITE_BUSY, C::kBusy},
      {SQLITE_BUSY_SNAPSHOT, C::kBusy},
      {SQLITE_LOCKED, C::kBusy},
      {SQLITE_FULL, C::kNoSpace},
      {SQLITE_CORRUPT, C::kCorruption},
      {SQLITE_NOTADB, C::kCorruption},
      {SQLITE_CANTOPEN, C::kNotFound},
      {SQLITE_READONLY, C::kPermissionDenied},
      {SQLITE_READONLY_DBMOVED, C::kPermissionDenied},
      {SQLITE_PERM, C::kPermissionDenied},
      {SQLITE_AUTH, C::kPermissionDenied},
      {SQLITE_IOERR, C::kIoError},
      {SQLITE_IOERR_FSYNC, C::kIoError},
      {SQLITE_CONSTRAINT, C::kIoError},
      {SQLITE_ERROR, C::kIoError},
  }));
  Status st = SqliteError(nullptr, rc, "/x/app.db", "open");
  INFO(st.ToString());
  CHECK(st.code() == code);
  CHECK_THAT(st.message(), Catch::StartsWith("open /x/app.db: "));
}

TEST_CASE("opening a missing sqlite file without create is NotFound") {
  TempDir dir;
  StatusOr<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(
      dir.File("absent.db"), SqliteConnection::OpenMode::kReadWrite);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().IsNotFound());
  CHECK_THAT(db.status().message(), Catch::Contains(dir.File("absent.db")));
}

TEST_CASE("bound text and integers round-trip, including empty and NUL") {
  TempDir dir;
  std::unique_ptr<SqliteConnection> db = CreateDb(dir);
  REQUIRE(db->Exec("CREATE TABLE t (i INTEGER, s TEXT, n TEXT)").ok());
  StatusOr<SqliteStatement> insert =
      db->Prepare("INSERT INTO t (i, s, n) VALUES (?, ?, ?)");
  REQUIRE(insert.ok());
  const std::string with_nul("a\0b'; DROP TABLE t; --", 22);
  for (const std::string& s : {std::string(), with_nul}) {
    insert->Reset();
    REQUIRE(insert->Bind(1, int64_t{-5}).Bind(2, s).BindNull(3).Run().ok());
  }
  CHECK(db->LastInsertRowId() == 2);
  CHECK(db->Changes() == 1);

  StatusOr<SqliteStatement> select = db->Prepare("SELECT i, s, n FROM t");
  REQUIRE(select.ok());
  for (const std::string& want : {std::string(), with_nul}) {
    StatusOr<bool> row = select->Step();
    REQUIRE(row.ok());
    REQUIRE(*row);
    CHECK(select->ColumnInt64(0) == -5);
    CHECK(select->ColumnText(1) == want);
    CHECK_FALSE(select->ColumnIsNull(1));
    CHECK(select->ColumnIsNull(2));
    CHECK(select->ColumnText(2).empty());
  }
  StatusOr<bool> done = select->Step();
  REQUIRE(done.ok());
  CHECK_FALSE(*done);
}

TEST_CASE("a bad bind index is reported by the next step") {
  TempDir dir;
  std::unique_ptr<SqliteConnection> db = CreateDb(dir);
  StatusOr<SqliteStatement> stmt = db->Prepare("SELECT ?");
  REQUIRE(stmt.ok());
  StatusOr<bool> row = stmt->Bind(5, int64_t{1}).Step();
  CHECK_FALSE(row.ok());
  stmt->Reset();
  row = stmt->Bind(1, int64_t{1}).Step();
  REQUIRE(row.ok());
  CHECK(*row);
}

TEST_CASE("invalid SQL is an error naming the statement and the path") {
  TempDir dir;
  std::unique_ptr<SqliteConnection> db = CreateDb(dir);
  StatusOr<SqliteStatement> stmt = db->Prepare("SELEC 1");
  REQUIRE_FALSE(stmt.ok());
  CHECK_THAT(stmt.status().message(), Catch::Contains("SELEC 1"));
  CHECK_THAT(stmt.status().message(), Catch::Contains(dir.File("app.db")));
  CHECK_FALSE(db->Exec("CREATE TABLE").ok());
}

TEST_CASE("running a statement that returns rows is an error") {
  TempDir dir;
  std::unique_ptr<SqliteConnection> db = CreateDb(dir);
  StatusOr<SqliteStatement> stmt = db->Prepare("SELECT 1");
  REQUIRE(stmt.ok());
  CHECK(stmt->Run().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("a transaction without commit is rolled back") {
  TempDir dir;
  std::unique_ptr<SqliteConnection> db = CreateDb(dir);
  REQUIRE(db->Exec("CREATE TABLE t (i INTEGER)").ok());
  {
    SqliteTransaction txn(*db);
    REQUIRE(txn.Begin(SqliteTransaction::Kind::kImmediate).ok());
    REQUIRE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  {
    SqliteTransaction txn(*db);
    REQUIRE(txn.Begin(SqliteTransaction::Kind::kDeferred).ok());
    REQUIRE(db->Exec("INSERT INTO t VALUES (2)").ok());
    REQUIRE(txn.Commit().ok());
  }
  StatusOr<std::string> rows = db->QueryText("SELECT group_concat(i) FROM t");
  REQUIRE(rows.ok());
  CHECK(*rows == "2");
}

TEST_CASE("a write blocked by another connection's lock is Busy") {
  TempDir dir;
  std::unique_ptr<SqliteConnection> db = CreateDb(dir);
  REQUIRE(db->Exec("CREATE TABLE t (i INTEGER)").ok());
  std::unique_ptr<SqliteConnection> other = SideConnection(dir.File("app.db"));
  SqliteTransaction holder(*other);
  REQUIRE(holder.Begin(SqliteTransaction::Kind::kImmediate).ok());
  Status st = db->Exec("INSERT INTO t VALUES (1)");  // no busy_timeout set
  CHECK(st.IsBusy());
}

TEST_CASE("the WAL's frame count is known after each commit") {
  TempDir dir;
  std::unique_ptr<SqliteConnection> db = CreateDb(dir);
  REQUIRE(db->Exec("PRAGMA journal_mode = WAL").ok());
  REQUIRE(db->Exec("PRAGMA wal_autocheckpoint = 0").ok());
  db->TrackWalFrames();
  CHECK(db->wal_frames() == 0);
  REQUIRE(db->Exec("CREATE TABLE t (i INTEGER, s TEXT)").ok());
  const int after_create = db->wal_frames();
  CHECK(after_create > 0);
  REQUIRE(db->Exec("WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 "
                   "FROM n WHERE v < 2000) "
                   "INSERT INTO t SELECT v, printf('%0500d', v) FROM n")
              .ok());
  CHECK(db->wal_frames() > after_create + 100);  // ~1 MB of rows
  REQUIRE(db->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  REQUIRE(db->Exec("INSERT INTO t VALUES (0, 'x')").ok());
  CHECK(db->wal_frames() < after_create + 5);  // the WAL restarted
}

}  // namespace
}  // namespace retention::sqlite_db_test

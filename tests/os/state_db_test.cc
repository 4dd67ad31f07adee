#include "core/state_db.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <memory>
#include <string>

#include "db_test_util.h"
#include "core/intent_log.h"
#include "kinds/accounts/accounts_state_store.h"
#include "sql/sqlite_connection.h"

namespace retention::state_db_test {
namespace {

using std::chrono::seconds;

std::string Query(const std::string& path, const std::string& sql) {
  StatusOr<std::string> text = SideConnection(path)->QueryText(sql);
  INFO(text.status().ToString());
  REQUIRE(text.ok());
  return *text;
}

std::unique_ptr<SqliteConnection> CreateSqlite(const std::string& path) {
  StatusOr<std::unique_ptr<SqliteConnection>> db = SqliteConnection::Open(
      path, SqliteConnection::OpenMode::kReadWriteCreate);
  REQUIRE(db.ok());
  return std::move(*db);
}

RunRecord MakeRun(const std::string& policy, int64_t start_s) {
  RunRecord run;
  run.policy = policy;
  run.started = FromUnixSeconds(start_s);
  run.boot_started = seconds(start_s - 1767220000);
  run.boot_id = "boot-1";
  return run;
}

TEST_CASE(
    "opening a new state db creates a WAL database at the current schema") {
  TempDir dir;
  std::string path = dir.File("state.db");
  std::unique_ptr<StateDb> db = OpenStateDb(path);
  CHECK(db->schema_version() == StateDb::kSchemaVersion);
  CHECK(db->path() == path);
  CHECK(Query(path, "PRAGMA journal_mode") == "wal");
  CHECK(Query(path, "SELECT version FROM schema_version") ==
        std::to_string(StateDb::kSchemaVersion));
  CHECK(
      Query(path,
            "SELECT group_concat(name, ',') FROM (SELECT name FROM "
            "sqlite_master WHERE type = 'table' AND name NOT LIKE "
            "'sqlite_%' ORDER BY name)") ==
      "account_pending,account_purges,alerts,brakes,holds,intents,ledger,"
      "ledger_head,occupancy,occupancy_scans,runs,schema_version,state_meta");
  CHECK(Query(path, "SELECT seq || ' ' || hash FROM ledger_head") ==
        "0 " + std::string(64, '0'));
}

TEST_CASE("reopening a state db keeps its data and schema") {
  TempDir dir;
  std::string path = dir.File("state.db");
  int64_t id = 0;
  {
    std::unique_ptr<StateDb> db = OpenStateDb(path);
    StatusOr<int64_t> begun = db->BeginRun(MakeRun("logs.access", 1767225600));
    REQUIRE(begun.ok());
    id = *begun;
  }
  for (int i = 0; i < 2; ++i) {
    std::unique_ptr<StateDb> db = OpenStateDb(path);
    CHECK(db->schema_version() == StateDb::kSchemaVersion);
    StatusOr<std::optional<RunRecord>> last = db->LastRun();
    REQUIRE(last.ok());
    REQUIRE(last->has_value());
    CHECK((*last)->id == id);
  }
  CHECK(Query(path, "SELECT count(*) FROM schema_version") == "1");
  CHECK(Query(path, "SELECT count(*) FROM ledger_head") == "1");
}

TEST_CASE("an empty existing file is initialized as a new state db") {
  TempDir dir;
  std::string path = dir.File("state.db");
  std::ofstream(path).close();
  CHECK(OpenStateDb(path)->schema_version() == StateDb::kSchemaVersion);
}

TEST_CASE("a state db with a newer schema is refused, not downgraded") {
  TempDir dir;
  std::string path = dir.File("state.db");
  OpenStateDb(path);
  const std::string newer = std::to_string(StateDb::kSchemaVersion + 1);
  RawSql(path, "UPDATE schema_version SET version = " + newer);
  StatusOr<std::unique_ptr<StateDb>> db = StateDb::Open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kFailedPrecondition);
  CHECK_THAT(
      db.status().message(),
      Catch::Contains("has schema " + newer + ", this retentiond knows up to " +
                      std::to_string(StateDb::kSchemaVersion) +
                      "; refusing to downgrade"));
  CHECK(Query(path, "SELECT version FROM schema_version") == newer);
}

TEST_CASE("another application's SQLite database is not taken over") {
  TempDir dir;
  std::string path = dir.File("app.db");
  {
    std::unique_ptr<SqliteConnection> app = CreateSqlite(path);
    REQUIRE(app->Exec("CREATE TABLE users (id INTEGER PRIMARY KEY)").ok());
  }
  StatusOr<std::unique_ptr<StateDb>> db = StateDb::Open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kFailedPrecondition);
  CHECK_THAT(db.status().message(), Catch::Contains("not a retentiond"));
  CHECK(Query(path, "SELECT count(*) FROM sqlite_master") == "1");
  CHECK(Query(path, "PRAGMA journal_mode") == "delete");
}

TEST_CASE("a file that is not SQLite is reported as corruption") {
  TempDir dir;
  std::string path = dir.File("state.db");
  {
    std::ofstream out(path);
    for (int i = 0; i < 200; ++i)
      out << "this is not a database, line " << i << "\n";
  }
  StatusOr<std::unique_ptr<StateDb>> db = StateDb::Open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kCorruption);
  CHECK_THAT(db.status().message(), Catch::Contains(path));
  CHECK_THAT(db.status().message(), Catch::Contains("move it aside"));
}

TEST_CASE("a state db in a missing directory is a clear NotFound") {
  TempDir dir;
  std::string path = dir.File("no-such-dir/state.db");
  StatusOr<std::unique_ptr<StateDb>> db = StateDb::Open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().IsNotFound());
  CHECK(db.status().errno_value() == ENOENT);
  CHECK_THAT(db.status().message(),
             Catch::Contains(dir.File("no-such-dir") + " does not exist"));
}

TEST_CASE("a run is recorded as running and then finished") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  RunRecord run = MakeRun("rows.reset_tokens", 1767225600);
  run.dry_run = true;
  StatusOr<int64_t> id = db->BeginRun(run);
  REQUIRE(id.ok());

  StatusOr<std::optional<RunRecord>> last = db->LastRun();
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  const RunRecord& running = **last;
  CHECK(running.id == *id);
  CHECK(running.policy == "rows.reset_tokens");
  CHECK(running.started == run.started);
  CHECK(running.boot_started == run.boot_started);
  CHECK(running.boot_id == "boot-1");
  CHECK(running.dry_run);
  CHECK(running.outcome == "running");
  CHECK(running.finished == WallTime{});

  WallTime end = run.started + seconds(3);
  REQUIRE(db->FinishRun(*id, {.finished = end,
                              .outcome = "error",
                              .actions = 12,
                              .bytes = 4096,
                              .error = "EIO on x"})
              .ok());
  last = db->LastRun();
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->finished == end);
  CHECK((*last)->outcome == "error");
  CHECK((*last)->actions == 12);
  CHECK((*last)->bytes == 4096);
  CHECK((*last)->error == "EIO on x");
  CHECK_FALSE((*last)->kept);
  CHECK_FALSE((*last)->oldest);
}

TEST_CASE("a run records what it left; the newest measured run per policy") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  auto finish = [&](const std::string& policy, int64_t start_s, bool dry,
                    std::optional<int64_t> kept,
                    std::optional<WallTime> oldest) {
    RunRecord run = MakeRun(policy, start_s);
    run.dry_run = dry;
    StatusOr<int64_t> id = db->BeginRun(run);
    REQUIRE(id.ok());
    REQUIRE(db->FinishRun(*id, {.finished = run.started + seconds(1),
                                .outcome = "ok",
                                .kept = kept,
                                .oldest = oldest,
                                .kept_bytes = kept ? 100 * *kept : 0,
                                .live_bytes = 7})
                .ok());
  };
  const WallTime old = FromUnixSeconds(1767000000);
  finish("files.a", 1767225600, false, 3, old);
  finish("files.a", 1767225700, false, std::nullopt, std::nullopt);  // error
  finish("files.a", 1767225800, true, 9, FromUnixSeconds(1));        // dry
  finish("files.b", 1767225600, false, 0, std::nullopt);  // nothing left
  StatusOr<std::map<std::string, RunRecord>> measured = db->LastMeasuredRuns();
  REQUIRE(measured.ok());
  REQUIRE(measured->size() == 2);
  const RunRecord& a = measured->at("files.a");
  CHECK(a.started == FromUnixSeconds(1767225600));
  CHECK(a.kept == 3);
  CHECK(a.oldest == old);
  CHECK(a.kept_bytes == 300);
  CHECK(a.live_bytes == 7);
  const RunRecord& b = measured->at("files.b");
  CHECK(b.kept == 0);
  CHECK_FALSE(b.oldest);
  StatusOr<std::map<std::string, RunRecord>> last = db->LastRealRuns();
  REQUIRE(last.ok());
  CHECK(last->at("files.a").started == FromUnixSeconds(1767225700));
}

TEST_CASE("a schema 1 state db is migrated, its runs kept unmeasured") {
  TempDir dir;
  std::string path = dir.File("state.db");
  REQUIRE(OpenStateDb(path)->BeginRun(MakeRun("files.a", 1767225600)).ok());
  // Back to what schema 1 looked like (SQLite >= 3.35 drops columns).
  RawSql(path, "ALTER TABLE runs DROP COLUMN kept");
  RawSql(path, "ALTER TABLE runs DROP COLUMN oldest_ns");
  RawSql(path, "ALTER TABLE runs DROP COLUMN kept_bytes");
  RawSql(path, "ALTER TABLE runs DROP COLUMN live_bytes");
  RawSql(path, "DROP TABLE holds");
  RawSql(path, "DROP TABLE occupancy");
  RawSql(path, "DROP TABLE occupancy_scans");
  RawSql(path, "DROP TABLE account_purges");
  RawSql(path, "DROP TABLE intents");
  RawSql(path, "DROP TABLE state_meta");
  RawSql(path, "DROP TABLE account_pending");
  RawSql(path, "DROP TABLE alerts");  // schema 9
  RawSql(path, "UPDATE schema_version SET version = 1");
  std::unique_ptr<StateDb> db = OpenStateDb(path);
  CHECK(db->schema_version() == StateDb::kSchemaVersion);
  StatusOr<std::optional<RunRecord>> last = db->LastRun();
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->policy == "files.a");
  CHECK_FALSE((*last)->kept);
  CHECK((*last)->kept_bytes == 0);
}

TEST_CASE("there is no last run in a new state db") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  StatusOr<std::optional<RunRecord>> last = db->LastRun();
  REQUIRE(last.ok());
  CHECK_FALSE(last->has_value());
  StatusOr<std::vector<RunRecord>> recent = db->RecentRuns(10);
  REQUIRE(recent.ok());
  CHECK(recent->empty());
}

TEST_CASE("finishing an unknown run is NotFound") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  Status st = db->FinishRun(
      42, {.finished = FromUnixSeconds(1767225600), .outcome = "ok"});
  CHECK(st.IsNotFound());
}

TEST_CASE("after a run's start and end (committed at synchronous = NORMAL) "
          "every commit syncs again") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  auto synchronous = [&] {
    StatusOr<std::string> mode = db->Lock()->QueryText("PRAGMA synchronous");
    REQUIRE(mode.ok());
    return *mode;
  };
  CHECK(synchronous() == "2");  // FULL
  StatusOr<int64_t> id = db->BeginRun(MakeRun("files.a", 1767225600));
  REQUIRE(id.ok());
  CHECK(synchronous() == "2");
  REQUIRE(db->FinishRun(*id, {.finished = FromUnixSeconds(1767225601),
                              .outcome = "ok"})
              .ok());
  CHECK(synchronous() == "2");
  CHECK(db->FinishRun(*id + 1, {.outcome = "ok"}).IsNotFound());
  CHECK(synchronous() == "2");
  StatusOr<std::optional<RunRecord>> last = db->LastRun();
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->outcome == "ok");
}

TEST_CASE("recent runs come newest first, even when the wall clock went back") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  // The third run starts "earlier": someone set the clock back.
  for (int64_t start : {1767225600, 1767225660, 1767225000}) {
    REQUIRE(db->BeginRun(MakeRun("files.backups", start)).ok());
  }
  StatusOr<std::vector<RunRecord>> recent = db->RecentRuns(2);
  REQUIRE(recent.ok());
  REQUIRE(recent->size() == 2);
  CHECK((*recent)[0].started == FromUnixSeconds(1767225000));
  CHECK((*recent)[1].started == FromUnixSeconds(1767225660));
  CHECK((*recent)[0].id > (*recent)[1].id);
  StatusOr<std::optional<RunRecord>> last = db->LastRun();
  REQUIRE(last.ok());
  CHECK((*last)->id == (*recent)[0].id);
  recent = db->RecentRuns(100);
  REQUIRE(recent.ok());
  CHECK(recent->size() == 3);
}

TEST_CASE("a brake is set, replaced, listed and cleared") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  WallTime t0 = FromUnixSeconds(1767225600);
  REQUIRE(db->SetBrake({"files.backups", "would delete 80%", t0}).ok());
  REQUIRE(db->SetBrake({"clock", "wall clock jumped 2h", t0}).ok());
  REQUIRE(db->SetBrake({"files.backups", "would delete 90%", t0 + seconds(60)})
              .ok());

  StatusOr<std::vector<Brake>> brakes = db->Brakes();
  REQUIRE(brakes.ok());
  REQUIRE(brakes->size() == 2);
  CHECK((*brakes)[0].name == "clock");
  CHECK((*brakes)[1].name == "files.backups");
  CHECK((*brakes)[1].reason == "would delete 90%");
  CHECK((*brakes)[1].since == t0 + seconds(60));

  REQUIRE(db->ClearBrake("clock").ok());
  CHECK(db->ClearBrake("clock").ok());  // already gone is fine
  brakes = db->Brakes();
  REQUIRE(brakes.ok());
  REQUIRE(brakes->size() == 1);
  CHECK((*brakes)[0].name == "files.backups");
}

TEST_CASE("a brake without a name is refused") {
  TempDir dir;
  std::unique_ptr<StateDb> db = OpenStateDb(dir.File("state.db"));
  Status st = db->SetBrake({"", "no name", FromUnixSeconds(1767225600)});
  CHECK(st.code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace retention::state_db_test

namespace retention::state_db_test {
namespace {

TEST_CASE("a schema 5 state db gains the account purge tables") {
  constexpr Duration kDay = std::chrono::hours(24);
  TempDir dir;
  std::string path = dir.File("state.db");
  REQUIRE(OpenStateDb(path)->BeginRun(MakeRun("files.a", 1767225600)).ok());
  RawSql(path, "DROP TABLE account_purges");
  RawSql(path, "DROP TABLE intents");
  RawSql(path, "DROP TABLE state_meta");
  RawSql(path, "DROP TABLE account_pending");
  RawSql(path, "DROP TABLE alerts");  // schema 9
  RawSql(path, "UPDATE schema_version SET version = 5");
  std::unique_ptr<StateDb> db = OpenStateDb(path);
  CHECK(db->schema_version() == StateDb::kSchemaVersion);
  const WallTime t = FromUnixSeconds(1767225600);
  REQUIRE(AccountsStore(*db)
              .SaveAccountPurge({"accounts", "42", t, "rows", "sessions 1", t})
              .ok());
  REQUIRE(AccountsStore(*db)
              .SaveAccountPurge({"accounts", "42", t, "done", "sessions 1", t})
              .ok());
  auto purges = AccountsStore(*db).AccountPurges("accounts");
  REQUIRE(purges.ok());
  REQUIRE(purges->size() == 1);
  CHECK((*purges)[0].stage == "done");
  REQUIRE(AccountsStore(*db)
              .ReplacePendingPurges(
                  "accounts", {{"7", t, t + kDay, false}, {"8", t, t, true}})
              .ok());
  REQUIRE(AccountsStore(*db)
              .ReplacePendingPurges("accounts", {{"9", t, t + kDay, false}})
              .ok());
  auto pending = AccountsStore(*db).PendingPurges("accounts");
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].account == "9");
  CHECK((*pending)[0].due == t + kDay);
  CHECK(db->LastRun().ok());
}

}  // namespace
}  // namespace retention::state_db_test

namespace retention::state_db_test {
namespace {

TEST_CASE("a schema 6 state db gains intents and a ledger id") {
  TempDir dir;
  std::string path = dir.File("state.db");
  REQUIRE(OpenStateDb(path)->BeginRun(MakeRun("files.a", 1767225600)).ok());
  RawSql(path, "DROP TABLE intents");
  RawSql(path, "DROP TABLE state_meta");
  RawSql(path, "DROP TABLE alerts");  // schema 9
  RawSql(path, "UPDATE schema_version SET version = 6");
  std::unique_ptr<StateDb> db = OpenStateDb(path);
  CHECK(db->schema_version() == StateDb::kSchemaVersion);
  auto id = db->LedgerId();
  REQUIRE(id.ok());
  CHECK(id->size() == 32);
  CHECK(db->LastRun().ok());
  // Each database gets its own.
  TempDir other;
  auto other_id = OpenStateDb(other.File("state.db"))->LedgerId();
  REQUIRE(other_id.ok());
  CHECK(*other_id != *id);
}

TEST_CASE("a schema 7 state db keeps its open intents and gains group "
          "intents") {
  TempDir dir;
  std::string path = dir.File("state.db");
  OpenStateDb(path);
  RawSql(path, "ALTER TABLE intents DROP COLUMN items");
  RawSql(path,
         "INSERT INTO intents (policy, verb, target, dev, ino, bytes, count, "
         "reason, created_ns) VALUES ('files.a', 'delete', '/d/f', 1, 2, 3, "
         "1, 'old', 0)");
  RawSql(path, "DROP TABLE alerts");  // schema 9
  RawSql(path, "UPDATE schema_version SET version = 7");
  std::unique_ptr<StateDb> db = OpenStateDb(path);
  CHECK(db->schema_version() == StateDb::kSchemaVersion);
  auto open = OpenIntents(*db, "files.a");
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK(open->front().target == "/d/f");
  CHECK(open->front().ino == 2);
  CHECK(open->front().items.empty());
}

}  // namespace
}  // namespace retention::state_db_test

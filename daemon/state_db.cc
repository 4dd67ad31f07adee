#include "state_db.h"

#include <cstdint>
#include <iterator>
#include <limits>
#include <span>
#include <utility>

#include "sqlite_db.h"

namespace retention {
namespace {

// Forward migrations: kMigrations[n] takes schema n to n + 1. All that are
// due run in one transaction with the version bump, so a crash leaves the
// schema found or the newest (and a new state db costs one commit, not one
// per version). Append new migrations; never edit one that has shipped.
constexpr const char* kMigrationTo1[] = {
    R"sql(CREATE TABLE runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      policy TEXT NOT NULL,
      started_ns INTEGER NOT NULL,
      boot_started_ns INTEGER NOT NULL,
      boot_id TEXT NOT NULL,
      dry_run INTEGER NOT NULL,
      finished_ns INTEGER NOT NULL DEFAULT 0,
      outcome TEXT NOT NULL,
      actions INTEGER NOT NULL DEFAULT 0,
      bytes INTEGER NOT NULL DEFAULT 0,
      error TEXT NOT NULL DEFAULT ''))sql",
    R"sql(CREATE TABLE brakes (
      name TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      since_ns INTEGER NOT NULL))sql",
    R"sql(CREATE TABLE ledger (
      seq INTEGER PRIMARY KEY,
      time_ns INTEGER NOT NULL,
      policy TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT NOT NULL,
      count INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      detail TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL))sql",
    // One row, forced by the CHECK; seq 0 and the zero hash mean "empty".
    R"sql(CREATE TABLE ledger_head (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      seq INTEGER NOT NULL,
      hash TEXT NOT NULL))sql",
    R"sql(INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0,
      '0000000000000000000000000000000000000000000000000000000000000000'))sql",
};

// Runs record what they left in scope (RunRecord::kept, ::oldest).
constexpr const char* kMigrationTo2[] = {
    "ALTER TABLE runs ADD COLUMN kept INTEGER",
    "ALTER TABLE runs ADD COLUMN oldest_ns INTEGER",
};

// ... and the bytes of it (RunRecord::kept_bytes, ::live_bytes).
constexpr const char* kMigrationTo3[] = {
    "ALTER TABLE runs ADD COLUMN kept_bytes INTEGER",
    "ALTER TABLE runs ADD COLUMN live_bytes INTEGER",
};

// Holds: targets excluded from every deletion until released.
constexpr const char* kMigrationTo4[] = {
    R"sql(CREATE TABLE holds (
      kind TEXT NOT NULL,
      target TEXT NOT NULL,
      reason TEXT NOT NULL,
      placed_by TEXT NOT NULL,
      since_ns INTEGER NOT NULL,
      PRIMARY KEY (kind, target)))sql",
};


// Occupancy measurements ([occupancy]): one row per full scan, one per user
// measured in it (occupancy_history.h).
constexpr const char* kMigrationTo5[] = {
    R"sql(CREATE TABLE occupancy_scans (
      id INTEGER PRIMARY KEY,
      finished_ns INTEGER NOT NULL,
      duration_ns INTEGER NOT NULL,
      entries INTEGER NOT NULL,
      warnings INTEGER NOT NULL))sql",
    R"sql(CREATE TABLE occupancy (
      scan INTEGER NOT NULL REFERENCES occupancy_scans (id) ON DELETE CASCADE,
      user TEXT NOT NULL,
      allocated INTEGER NOT NULL,
      apparent INTEGER NOT NULL,
      files INTEGER NOT NULL,
      dirs INTEGER NOT NULL,
      quota INTEGER NOT NULL,
      over INTEGER NOT NULL,
      PRIMARY KEY (scan, user)))sql",
    "CREATE INDEX occupancy_by_user ON occupancy (user, scan)",
};

// Account purges ([accounts]): each one's progress, so that a purge cut
// short by a crash is completed at the next run, and the accounts waiting
// for their grace to pass, as the last real run saw them (for the report).
constexpr const char* kMigrationTo6[] = {
    R"sql(CREATE TABLE account_purges (
      policy TEXT NOT NULL,
      account TEXT NOT NULL,
      deleted_ns INTEGER NOT NULL,
      stage TEXT NOT NULL,
      rows TEXT NOT NULL,
      updated_ns INTEGER NOT NULL,
      PRIMARY KEY (policy, account)))sql",
    R"sql(CREATE TABLE account_pending (
      policy TEXT NOT NULL,
      account TEXT NOT NULL,
      deleted_ns INTEGER NOT NULL,
      due_ns INTEGER NOT NULL,
      held INTEGER NOT NULL,
      PRIMARY KEY (policy, account)))sql",
};

// Write-ahead intents (intent_log.h): a removal's intent is durable before
// the removal, and closed together with its ledger entry. state_meta keeps
// facts about the database itself, such as the ledger's id.
constexpr const char* kMigrationTo7[] = {
    // AUTOINCREMENT: an id is never reused, since a rows batch's mark in
    // the application's database names its intent by id.
    R"sql(CREATE TABLE intents (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      policy TEXT NOT NULL,
      verb TEXT NOT NULL,
      target TEXT NOT NULL,
      dev INTEGER NOT NULL,
      ino INTEGER NOT NULL,
      bytes INTEGER NOT NULL,
      count INTEGER NOT NULL,
      recorded INTEGER NOT NULL DEFAULT 0,
      reason TEXT NOT NULL,
      created_ns INTEGER NOT NULL))sql",
    R"sql(CREATE TABLE state_meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL))sql",
    "INSERT INTO state_meta (key, value) VALUES ('ledger_id', "
    "lower(hex(randomblob(16))))",
};

// Group intents: the removals of a group in one row (intent_log.h).
constexpr const char* kMigrationTo8[] = {
    "ALTER TABLE intents ADD COLUMN items TEXT",
};

constexpr std::span<const char* const> kMigrations[] = {
    kMigrationTo1, kMigrationTo2, kMigrationTo3, kMigrationTo4,
    kMigrationTo5, kMigrationTo6, kMigrationTo7, kMigrationTo8};
static_assert(std::size(kMigrations) == StateDb::kSchemaVersion,
              "every schema version needs its migration");

constexpr char kRunColumns[] =
    "id, policy, started_ns, boot_started_ns, boot_id, dry_run, finished_ns, "
    "outcome, actions, bytes, error, kept, oldest_ns, kept_bytes, live_bytes";

int64_t ToNs(WallTime t) { return t.time_since_epoch().count(); }
WallTime FromNs(int64_t ns) { return WallTime(Duration(ns)); }

int64_t ClampLimit(size_t limit) {
  constexpr auto kMax =
      static_cast<size_t>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(limit < kMax ? limit : kMax);
}

RunRecord RowToRun(const SqliteStatement& stmt) {
  RunRecord run;
  run.id = stmt.ColumnInt64(0);
  run.policy = stmt.ColumnText(1);
  run.started = FromNs(stmt.ColumnInt64(2));
  run.boot_started = Duration(stmt.ColumnInt64(3));
  run.boot_id = stmt.ColumnText(4);
  run.dry_run = stmt.ColumnInt64(5) != 0;
  run.finished = FromNs(stmt.ColumnInt64(6));
  run.outcome = stmt.ColumnText(7);
  run.actions = stmt.ColumnInt64(8);
  run.bytes = stmt.ColumnInt64(9);
  run.error = stmt.ColumnText(10);
  if (!stmt.ColumnIsNull(11)) run.kept = stmt.ColumnInt64(11);
  if (!stmt.ColumnIsNull(12)) run.oldest = FromNs(stmt.ColumnInt64(12));
  run.kept_bytes = stmt.ColumnInt64(13);  // NULL (older runs) reads as 0
  run.live_bytes = stmt.ColumnInt64(14);
  return run;
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A state db that cannot be created: say which directory is missing.
Status ExplainOpenError(const std::string& path, const Status& st) {
  if (!st.IsNotFound()) return st;
  std::string msg = "cannot create state database " + path +
                    ": its directory " + DirectoryOf(path) +
                    " does not exist (create state_dir first)";
  if (st.errno_value() != 0) return Status::FromErrno(st.errno_value(), msg);
  return Status::NotFound(msg);
}

// A state db that SQLite cannot read: tell the operator what to do.
Status ExplainSetupError(const std::string& path, const Status& st) {
  if (st.code() != Status::Code::kCorruption) return st;
  return Status::Corruption(
      path +
      " is not a usable SQLite database: move it aside (keep it, it may "
      "hold the ledger) and restart retentiond to create a new one (" +
      st.message() + ")");
}

// True when the database holds anything besides schema_version, which a new
// state db does not: a foreign database must not be turned into one.
StatusOr<bool> HasForeignTables(SqliteDb& db) {
  StatusOr<std::string> count = db.QueryText(
      "SELECT count(*) FROM sqlite_master WHERE name != 'schema_version'");
  if (!count.ok()) return count.status();
  return *count != "0";
}

// The recorded schema version; 0 for a new, empty database. Runs inside the
// migration transaction.
StatusOr<int64_t> ReadSchemaVersion(SqliteDb& db) {
  RETENTION_RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"));
  StatusOr<SqliteStatement> read =
      db.Prepare("SELECT version FROM schema_version WHERE id = 1");
  if (!read.ok()) return read.status();
  StatusOr<bool> row = read->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    StatusOr<bool> foreign = HasForeignTables(db);
    if (!foreign.ok()) return foreign.status();
    if (*foreign) {
      return Status::FailedPrecondition(
          db.path() +
          " holds tables but no schema_version: it is not a "
          "retentiond state database; refusing to modify it");
    }
    return int64_t{0};
  }
  int64_t version = read->ColumnInt64(0);
  if (version < 0) {
    return Status::Corruption(db.path() + " has invalid schema version " +
                              std::to_string(version));
  }
  return version;
}

// Takes schema `from` to from + 1. Runs inside the migration transaction.
Status ApplyMigration(SqliteDb& db, int64_t from) {
  for (const char* step : kMigrations[from]) {
    RETENTION_RETURN_IF_ERROR(db.Exec(step));
  }
  StatusOr<SqliteStatement> write = db.Prepare(
      "INSERT INTO schema_version (id, version) VALUES (1, ?) "
      "ON CONFLICT (id) DO UPDATE SET version = excluded.version");
  if (!write.ok()) return write.status();
  return write->Bind(1, from + 1).Run();
}

// Per-connection settings; they change nothing in the file.
Status SetConnectionPragmas(SqliteDb& db) {
  // The busy timeout first, so what follows waits out another process.
  RETENTION_RETURN_IF_ERROR(db.Exec("PRAGMA busy_timeout = 5000"));
  // FULL syncs the WAL at every commit: a ledger entry that was committed
  // survives power loss.
  RETENTION_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  return db.Exec("PRAGMA foreign_keys = ON");
}

// WAL is recorded in the file, so this runs only once the file is accepted.
Status EnableWal(SqliteDb& db) {
  StatusOr<std::string> mode = db.QueryText("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return Status::IoError("cannot put " + db.path() +
                           " in WAL mode: journal_mode stays \"" + *mode +
                           "\"");
  }
  return Status::Ok();
}

// Reads the version and, if it is behind, applies every migration due, all
// in one write transaction so two processes opening at once cannot both
// migrate. Returns the version reached.
StatusOr<int64_t> MigrateToNewest(SqliteDb& db) {
  SqliteTransaction txn(db);
  RETENTION_RETURN_IF_ERROR(txn.Begin(SqliteTransaction::Kind::kImmediate));
  StatusOr<int64_t> version = ReadSchemaVersion(db);
  if (!version.ok()) return version.status();
  if (*version > StateDb::kSchemaVersion) {
    return Status::FailedPrecondition(
        db.path() + " has schema " + std::to_string(*version) +
        ", this retentiond knows up to " +
        std::to_string(StateDb::kSchemaVersion) + "; refusing to downgrade");
  }
  int64_t reached = *version;
  for (; reached < StateDb::kSchemaVersion; ++reached) {
    RETENTION_RETURN_IF_ERROR(ApplyMigration(db, reached));
  }
  RETENTION_RETURN_IF_ERROR(txn.Commit());
  return reached;
}

}  // namespace

StateDb::StateDb(std::unique_ptr<SqliteDb> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

StateDb::~StateDb() = default;

// Nothing persistent changes before Migrate has accepted the file: a foreign
// or newer database is left exactly as it was found.
StatusOr<std::unique_ptr<StateDb>> StateDb::Open(const std::string& path) {
  StatusOr<std::unique_ptr<SqliteDb>> conn =
      SqliteDb::Open(path, SqliteDb::OpenMode::kReadWriteCreate);
  if (!conn.ok()) return ExplainOpenError(path, conn.status());
  std::unique_ptr<StateDb> db(new StateDb(std::move(*conn), path));
  Status st = SetConnectionPragmas(*db->db_);
  // A new, empty file is nobody's database: WAL at once saves the first
  // migration the rollback journal's four syncs.
  StatusOr<std::string> pages = db->db_->QueryText("PRAGMA page_count");
  if (st.ok() && !pages.ok()) st = pages.status();
  if (st.ok() && *pages == "0") st = EnableWal(*db->db_);
  if (st.ok()) st = db->Migrate();
  if (st.ok()) st = EnableWal(*db->db_);
  if (!st.ok()) return ExplainSetupError(path, st);
  return db;
}

Status StateDb::Migrate() {
  while (schema_version_ != kSchemaVersion) {
    StatusOr<int64_t> reached = MigrateToNewest(*db_);
    if (!reached.ok()) return reached.status();
    schema_version_ = static_cast<int>(*reached);
  }
  return Status::Ok();
}

StatusOr<std::string> StateDb::LedgerId() {
  std::lock_guard<std::mutex> lock(mu_);
  return db_->QueryText(
      "SELECT value FROM state_meta WHERE key = 'ledger_id'");
}

// --- runs ---

StatusOr<int64_t> StateDb::BeginRun(const RunRecord& run) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt = db_->Prepare(
      "INSERT INTO runs (policy, started_ns, boot_started_ns, boot_id, "
      "dry_run, outcome) VALUES (?, ?, ?, ?, ?, 'running')");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, run.policy)
      .Bind(2, ToNs(run.started))
      .Bind(3, static_cast<int64_t>(run.boot_started.count()))
      .Bind(4, run.boot_id)
      .Bind(5, int64_t{run.dry_run ? 1 : 0});
  RETENTION_RETURN_IF_ERROR(stmt->Run());
  return db_->LastInsertRowId();
}

Status StateDb::FinishRun(int64_t id, const RunEnd& end) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt = db_->Prepare(
      "UPDATE runs SET finished_ns = ?, outcome = ?, actions = ?, bytes = ?, "
      "error = ?, kept = ?, oldest_ns = ?, kept_bytes = ?, live_bytes = ? "
      "WHERE id = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ToNs(end.finished))
      .Bind(2, end.outcome)
      .Bind(3, end.actions)
      .Bind(4, end.bytes)
      .Bind(5, end.error);
  if (end.kept) {
    stmt->Bind(6, *end.kept);
  } else {
    stmt->BindNull(6);
  }
  if (end.kept && end.oldest) {
    stmt->Bind(7, ToNs(*end.oldest));
  } else {
    stmt->BindNull(7);
  }
  stmt->Bind(8, end.kept_bytes).Bind(9, end.live_bytes).Bind(10, id);
  RETENTION_RETURN_IF_ERROR(stmt->Run());
  if (db_->Changes() == 0) {
    return Status::NotFound("no run " + std::to_string(id) + " in " + path_);
  }
  return Status::Ok();
}

StatusOr<std::optional<RunRecord>> StateDb::LastRun() {
  StatusOr<std::vector<RunRecord>> runs = RecentRuns(1);
  if (!runs.ok()) return runs.status();
  if (runs->empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(std::move(runs->front()));
}

// Newest first. Ordered by id, not start time: the wall clock can go back.
StatusOr<std::vector<RunRecord>> StateDb::RecentRuns(size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt =
      db_->Prepare(std::string("SELECT ") + kRunColumns +
                   " FROM runs ORDER BY id DESC LIMIT ?");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, ClampLimit(limit));
  std::vector<RunRecord> runs;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    runs.push_back(RowToRun(*stmt));
  }
  return runs;
}

// A scan of runs, grouped; fine for the sizes the runs table reaches (one
// row per run).
StatusOr<std::map<std::string, RunRecord>> StateDb::LastRealRuns() {
  return NewestRunPerPolicy("dry_run = 0");
}

StatusOr<std::map<std::string, RunRecord>> StateDb::LastMeasuredRuns() {
  return NewestRunPerPolicy("dry_run = 0 AND kept IS NOT NULL");
}

StatusOr<std::map<std::string, RunRecord>> StateDb::NewestRunPerPolicy(
    const char* where) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt = db_->Prepare(
      std::string("SELECT ") + kRunColumns +
      " FROM runs WHERE id IN (SELECT MAX(id) FROM runs WHERE " + where +
      " GROUP BY policy)");
  if (!stmt.ok()) return stmt.status();
  std::map<std::string, RunRecord> runs;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    RunRecord run = RowToRun(*stmt);
    std::string policy = run.policy;
    runs.emplace(std::move(policy), std::move(run));
  }
  return runs;
}

StatusOr<std::vector<RunRecord>> StateDb::CloseInterruptedRuns(WallTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> select =
      db_->Prepare(std::string("SELECT ") + kRunColumns +
                   " FROM runs WHERE outcome = 'running' ORDER BY id");
  if (!select.ok()) return select.status();
  std::vector<RunRecord> runs;
  for (;;) {
    StatusOr<bool> row = select->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    runs.push_back(RowToRun(*select));
  }
  StatusOr<SqliteStatement> update = db_->Prepare(
      "UPDATE runs SET outcome = 'interrupted', finished_ns = ?, "
      "error = 'the process ended during the run' WHERE outcome = 'running'");
  if (!update.ok()) return update.status();
  update->Bind(1, ToNs(now));
  RETENTION_RETURN_IF_ERROR(update->Run());
  for (RunRecord& run : runs) {
    run.outcome = "interrupted";
    run.finished = now;
  }
  return runs;
}

// --- brakes ---

Status StateDb::SetBrake(const Brake& brake) {
  if (brake.name.empty()) return Status::InvalidArgument("brake has no name");
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt = db_->Prepare(
      "INSERT INTO brakes (name, reason, since_ns) VALUES (?, ?, ?) "
      "ON CONFLICT (name) DO UPDATE SET reason = excluded.reason, "
      "since_ns = excluded.since_ns");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, brake.name).Bind(2, brake.reason).Bind(3, ToNs(brake.since));
  return stmt->Run();
}

// Clearing a brake that is not set is success, like removing what is gone.
Status StateDb::ClearBrake(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt =
      db_->Prepare("DELETE FROM brakes WHERE name = ?");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, name).Run();
}

StatusOr<std::vector<Brake>> StateDb::Brakes() {
  std::lock_guard<std::mutex> lock(mu_);
  StatusOr<SqliteStatement> stmt =
      db_->Prepare("SELECT name, reason, since_ns FROM brakes ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  std::vector<Brake> brakes;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    brakes.push_back(Brake{stmt->ColumnText(0), stmt->ColumnText(1),
                           FromNs(stmt->ColumnInt64(2))});
  }
  return brakes;
}

}  // namespace retention

// The state database's schema (StateDb, state_db.h): the forward
// migrations, and how a connection is set up and taken to the newest one.
#include "core/state_db_schema.h"

#include <iterator>
#include <span>

#include "core/state_db.h"

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
    ("INSERT INTO state_meta (key, value) VALUES ('ledger_id', "
     "lower(hex(randomblob(16))))"),
};

// Group intents: the removals of a group in one row (intent_log.h).
constexpr const char* kMigrationTo8[] = {
    "ALTER TABLE intents ADD COLUMN items TEXT",
};

// Standing alerts (state_db_alerts.cc): each policy's as its last completed
// real run left them, so a restart shows them before the policy runs again.
constexpr const char* kMigrationTo9[] = {
    R"sql(CREATE TABLE alerts (
      policy TEXT NOT NULL,
      name TEXT NOT NULL,
      text TEXT NOT NULL,
      since_ns INTEGER NOT NULL,
      PRIMARY KEY (policy, name)))sql",
};

constexpr std::span<const char* const> kMigrations[] = {
    kMigrationTo1, kMigrationTo2, kMigrationTo3, kMigrationTo4, kMigrationTo5,
    kMigrationTo6, kMigrationTo7, kMigrationTo8, kMigrationTo9};
static_assert(std::size(kMigrations) == StateDb::kSchemaVersion,
              "every schema version needs its migration");

// True when the database holds anything besides schema_version, which a new
// state db does not: a foreign database must not be turned into one.
StatusOr<bool> HasForeignTables(SqliteConnection& db) {
  StatusOr<std::string> count = db.QueryText(
      "SELECT count(*) FROM sqlite_master WHERE name != 'schema_version'");
  if (!count.ok()) return count.status();
  return *count != "0";
}

// The recorded schema version; 0 for a new, empty database. Runs inside the
// migration transaction.
StatusOr<int64_t> ReadSchemaVersion(SqliteConnection& db) {
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
Status ApplyMigration(SqliteConnection& db, int64_t from) {
  for (const char* step : kMigrations[from]) {
    RETENTION_RETURN_IF_ERROR(db.Exec(step));
  }
  StatusOr<SqliteStatement> write = db.Prepare(
      "INSERT INTO schema_version (id, version) VALUES (1, ?) "
      "ON CONFLICT (id) DO UPDATE SET version = excluded.version");
  if (!write.ok()) return write.status();
  return write->Bind(1, from + 1).Run();
}

}  // namespace

// Per-connection settings; they change nothing in the file.
Status SetConnectionPragmas(SqliteConnection& db) {
  // The busy timeout first, so what follows waits out another process.
  RETENTION_RETURN_IF_ERROR(db.Exec("PRAGMA busy_timeout = 5000"));
  // FULL syncs the WAL at every commit: a ledger entry that was committed
  // survives power loss.
  RETENTION_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  return db.Exec("PRAGMA foreign_keys = ON");
}

// WAL is recorded in the file, so this runs only once the file is accepted.
Status EnableWal(SqliteConnection& db) {
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
StatusOr<int64_t> MigrateToNewest(SqliteConnection& db) {
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

}  // namespace retention

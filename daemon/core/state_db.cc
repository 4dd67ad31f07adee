#include "core/state_db.h"

#include <cstdint>
#include <iterator>
#include <limits>
#include <span>
#include <utility>

#include "core/state_db_schema.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

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

}  // namespace

StateDb::StateDb(std::unique_ptr<SqliteConnection> db, std::string path)
    : db_(std::move(db)), path_(std::move(path)) {}

StateDb::~StateDb() = default;

// Nothing persistent changes before Migrate has accepted the file: a foreign
// or newer database is left exactly as it was found.
StatusOr<std::unique_ptr<StateDb>> StateDb::Open(const std::string& path) {
  StatusOr<std::unique_ptr<SqliteConnection>> conn = SqliteConnection::Open(
      path, SqliteConnection::OpenMode::kReadWriteCreate);
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
  return db_->QueryText("SELECT value FROM state_meta WHERE key = 'ledger_id'");
}

// --- runs ---

// A run's records are committed without waiting for the disk: nothing
// relies on them being there (the ledger's entries and intents do not name
// runs), and the next commit that does wait (synchronous = FULL, the
// connection's setting; a removal's intent or entry) syncs the WAL with
// them. Behind another writer's fsyncs each wait took 0.25-2 s, between a
// log's rotation and its next (a run that only rotates, or does nothing,
// then waits for none). A killed process loses nothing; a power cut may
// lose the newest run's start (the clock brake then judges against the run
// before) or leave it "running", which the next start marks "interrupted".
Status StateDb::WithoutSync(const std::function<Status()>& commit) {
  RETENTION_RETURN_IF_ERROR(db_->Exec("PRAGMA synchronous = NORMAL"));
  Status committed = commit();
  Status restored = db_->Exec("PRAGMA synchronous = FULL");
  if (!committed.ok()) return committed;
  return restored;
}

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
  RETENTION_RETURN_IF_ERROR(WithoutSync([&] { return stmt->Run(); }));
  return db_->LastInsertRowId();
}

Status StateDb::FinishRun(int64_t id, const RunEnd& end) {
  std::lock_guard<std::mutex> lock(mu_);
  RETENTION_RETURN_IF_ERROR(
      WithoutSync([&] { return UpdateRunEnd(*db_, id, end); }));
  if (db_->Changes() == 0) {
    return Status::NotFound("no run " + std::to_string(id) + " in " + path_);
  }
  return Status::Ok();
}

Status StateDb::UpdateRunEnd(SqliteConnection& db, int64_t id,
                             const RunEnd& end) {
  StatusOr<SqliteStatement> stmt = db.Prepare(
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
  return stmt->Run();
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
  StatusOr<SqliteStatement> stmt =
      db_->Prepare(std::string("SELECT ") + kRunColumns +
                   " FROM runs WHERE id IN (SELECT MAX(id) FROM runs WHERE " +
                   where + " GROUP BY policy)");
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

#include "sql/sqlite_connection.h"

#include <sqlite3.h>

#include <utility>

namespace retention {
namespace {

// A WAL database needs PATH-wal and PATH-shm beside it (a rollback one, its
// -journal to write), even to be read: in a directory this process cannot
// write, SQLite says "unable to open database file: No such file or
// directory" (a read-only mount) or "attempt to write a readonly database",
// which both hide the cause. Asked through SQLite's own VFS (access(2)).
// Empty when the database is missing or its directory is writable.
std::string ReadOnlyDirectory(int rc, const std::string& path) {
  const bool cantopen = (rc & 0xff) == SQLITE_CANTOPEN;
  if (!cantopen && rc != SQLITE_READONLY_DIRECTORY &&
      rc != SQLITE_READONLY_CANTINIT && rc != SQLITE_READONLY_CANTLOCK) {
    return "";
  }
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int exists = 0;
  int writable = 1;
  if (vfs == nullptr ||
      vfs->xAccess(vfs, path.c_str(), SQLITE_ACCESS_EXISTS, &exists) !=
          SQLITE_OK ||
      !exists ||
      vfs->xAccess(vfs, dir.c_str(), SQLITE_ACCESS_READWRITE, &writable) !=
          SQLITE_OK ||
      writable) {
    return "";
  }
  const std::string base = path.substr(slash + 1);
  return "its directory " + dir +
         " is read-only to this process (a read-only mount, or no write "
         "permission); SQLite needs to create " +
         base + "-wal and " + base + "-shm (or " + base +
         "-journal) beside the database, even to read it";
}

}  // namespace

Status SqliteError(sqlite3* db, int rc, const std::string& path,
                   const std::string& context) {
  const char* what = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string msg = context + " " + path + ": " + what;
  if (std::string why = ReadOnlyDirectory(rc, path); !why.empty()) {
    // The statement that met it would only hide the cause.
    return Status::PermissionDenied("open " + path + ": " + why + " (" + what +
                                    ")");
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(msg);
    case SQLITE_FULL:
      return Status::NoSpace(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg);
    case SQLITE_CANTOPEN: {
      // The errno tells a missing directory from a forbidden one.
      int err = db != nullptr ? sqlite3_system_errno(db) : 0;
      if (err != 0) return Status::FromErrno(err, msg);
      return Status::NotFound(msg);
    }
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::PermissionDenied(msg);
    default:
      return Status::IoError(msg);
  }
}

// --- SqliteStatement ---

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(std::move(other.bind_error_)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() {
  // finalize repeats the last step's error, which Step() already reported.
  sqlite3_finalize(stmt_);
}

void SqliteStatement::NoteBindResult(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_.ok()) {
    bind_error_ = db_->Error(rc, "bind parameter " + std::to_string(index) +
                                     " of \"" + sqlite3_sql(stmt_) + "\" on");
  }
}

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  NoteBindResult(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view value) {
  // A null data pointer would bind SQL NULL; an empty string must stay "".
  const char* data = value.data() != nullptr ? value.data() : "";
  NoteBindResult(sqlite3_bind_text64(stmt_, index, data, value.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8),
                 index);
  return *this;
}

SqliteStatement& SqliteStatement::BindDouble(int index, double value) {
  NoteBindResult(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

int SqliteStatement::ParameterIndex(const char* name) const {
  return sqlite3_bind_parameter_index(stmt_, name);
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  NoteBindResult(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

StatusOr<bool> SqliteStatement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, std::string("run \"") + sqlite3_sql(stmt_) + "\" on");
}

Status SqliteStatement::Run() {
  StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  if (*row) {
    return Status::InvalidArgument(std::string("\"") + sqlite3_sql(stmt_) +
                                   "\" returned rows where none were expected");
  }
  return Status::Ok();
}

int64_t SqliteStatement::ColumnInt64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

double SqliteStatement::ColumnDouble(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::string SqliteStatement::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return std::string();
  // Length from column_bytes, so text with embedded NULs survives.
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool SqliteStatement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

void SqliteStatement::Reset() {
  // reset returns the last step's error, which Step() already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = Status::Ok();
}

// --- SqliteConnection ---

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, OpenMode mode) {
  int flags = SQLITE_OPEN_EXRESCODE;
  switch (mode) {
    case OpenMode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case OpenMode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case OpenMode::kReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteError(db, rc, path, "open");
    sqlite3_close(db);  // SQLite hands back a handle even on failure
    return st;
  }
  // "name" is an identifier, never a string: with SQLite's default, a
  // quoted column that no longer exists silently became the text 'name'.
  for (int option : {SQLITE_DBCONFIG_DQS_DML, SQLITE_DBCONFIG_DQS_DDL}) {
    rc = sqlite3_db_config(db, option, 0, nullptr);
    if (rc != SQLITE_OK) {
      Status st = SqliteError(db, rc, path, "configure");
      sqlite3_close(db);
      return st;
    }
  }
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(db, path));
}

SqliteConnection::~SqliteConnection() {
  // close_v2 defers the close until any stray statement is finalized
  // instead of failing; nothing useful can be done with an error here.
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Exec(const std::string& sql) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "run \"" + sql + "\" on");
  return Status::Ok();
}

StatusOr<SqliteStatement> SqliteConnection::Prepare(const std::string& sql) {
  return PrepareWithTail(sql, nullptr);
}

StatusOr<SqliteStatement> SqliteConnection::PrepareWithTail(
    const std::string& sql, std::string* rest) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()),
                              &stmt, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, "prepare \"" + sql + "\" on");
  }
  if (rest != nullptr && tail != nullptr) *rest = tail;
  return SqliteStatement(this, stmt);
}

StatusOr<SqliteStatement> SqliteConnection::PrepareSingle(
    const std::string& sql) {
  std::string rest;
  StatusOr<SqliteStatement> stmt = PrepareWithTail(sql, &rest);
  if (stmt.ok() && rest.find_first_not_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("\"" + sql +
                                   "\" is more than one statement");
  }
  return stmt;
}

StatusOr<std::string> SqliteConnection::QueryText(const std::string& sql) {
  StatusOr<SqliteStatement> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::IoError("\"" + sql + "\" on " + path_ + ": no row");
  return stmt->ColumnText(0);
}

void SqliteConnection::TrackWalFrames() {
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) {
        static_cast<SqliteConnection*>(self)->wal_frames_ = frames;
        return SQLITE_OK;
      },
      this);
}

int64_t SqliteConnection::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int64_t SqliteConnection::Changes() const { return sqlite3_changes64(db_); }

Status SqliteConnection::Error(int rc, const std::string& context) const {
  return SqliteError(db_, rc, path_, context);
}

// --- SqliteTransaction ---

SqliteTransaction::~SqliteTransaction() {
  if (open_) {
    // The caller is already returning the error that got us here. ROLLBACK
    // fails only when SQLite has already rolled back after that error.
    (void)db_.Exec("ROLLBACK");
  }
}

Status SqliteTransaction::Begin(Kind kind) {
  RETENTION_RETURN_IF_ERROR(db_.Exec(
      kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  open_ = true;
  return Status::Ok();
}

Status SqliteTransaction::Commit() {
  RETENTION_RETURN_IF_ERROR(db_.Exec("COMMIT"));
  open_ = false;
  return Status::Ok();
}

StatusOr<std::unique_ptr<SqliteConnection>> OpenAppDatabase(
    const std::string& path, bool read_only, Duration busy_timeout) {
  auto db = SqliteConnection::Open(
      path, read_only ? SqliteConnection::OpenMode::kReadOnly
                      : SqliteConnection::OpenMode::kReadWrite);
  if (!db.ok()) return db.status();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(busy_timeout);
  RETENTION_RETURN_IF_ERROR(
      (*db)->Exec("PRAGMA busy_timeout = " + std::to_string(ms.count())));
  return db;
}

}  // namespace retention

// SqliteConnection: a thin RAII layer over one SQLite connection, shared by the
// state database and the SQLite application-database backend. It owns the
// handle, prepares statements with bound parameters (values never enter SQL
// text), scopes transactions, and maps SQLite result codes to Status in one
// place (SqliteError), with the database path and sqlite3_errmsg in every
// message.
//
// Threading: thread-compatible, not thread-safe. A SqliteConnection and the
// statements and transactions made from it must be used by one thread at a
// time; callers that share a connection (StateDb) hold a mutex around every
// use. Statements and transactions must not outlive their SqliteConnection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace retention {

class SqliteConnection;

// Maps SQLite result code `rc` (primary or extended) to a Status:
// BUSY/LOCKED -> kBusy, FULL -> kNoSpace, CORRUPT/NOTADB -> kCorruption,
// CANTOPEN -> the OS errno's code when SQLite recorded one (else kNotFound),
// READONLY/PERM/AUTH -> kPermissionDenied, anything else -> kIoError. An
// existing database that cannot be opened because its directory is not
// writable (SQLite's -wal/-shm/-journal) is kPermissionDenied saying so.
// The message is "`context` `path`: <sqlite3_errmsg>". `db` may be null (the
// message then uses sqlite3_errstr). Precondition: rc is an error code.
Status SqliteError(sqlite3* db, int rc, const std::string& path,
                   const std::string& context);

// A prepared statement. Movable, not copyable; finalized on destruction.
// Bind indexes start at 1, column indexes at 0, as in SQLite.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Binds a value to parameter `index`. A bind error is kept and returned
  // by the next Step() or Run(), so a run of binds needs no checks between.
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, std::string_view value);
  SqliteStatement& BindDouble(int index, double value);
  SqliteStatement& BindNull(int index);
  // The index of the named parameter (":cutoff"), or 0 when the statement
  // has no such parameter.
  int ParameterIndex(const char* name) const;

  // Advances: true when a row is available, false when done, or the error
  // (including a pending bind error).
  StatusOr<bool> Step();
  // Steps a statement that returns no rows (INSERT, UPDATE, DELETE). A row
  // is an error: the SQL is not what the caller meant.
  Status Run();

  // Column getters for the current row (precondition: Step() returned true).
  // NULL reads as 0 / "".
  int64_t ColumnInt64(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  bool ColumnIsNull(int col) const;

  // Makes the statement ready to run again and clears bindings and any
  // pending bind error.
  void Reset();

 private:
  friend class SqliteConnection;
  SqliteStatement(SqliteConnection* db, sqlite3_stmt* stmt)
      : db_(db), stmt_(stmt) {}
  void NoteBindResult(int rc, int index);

  SqliteConnection* db_;
  sqlite3_stmt* stmt_;
  Status bind_error_;
};

class SqliteConnection {
 public:
  enum class OpenMode {
    kReadOnly,
    kReadWrite,        // the file must exist
    kReadWriteCreate,  // created if missing; its directory must exist
  };

  // Opens the database file at `path`. Nothing is read until the first
  // statement, so a file that is not SQLite is reported by that statement
  // (kCorruption), not here. Double-quoted string literals are off on the
  // connection: "x" always names a column or table. Failure: kNotFound /
  // kPermissionDenied for a file or directory that cannot be opened, else
  // kIoError.
  static StatusOr<std::unique_ptr<SqliteConnection>> Open(
      const std::string& path, OpenMode mode);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs SQL that takes no values: DDL, pragmas, BEGIN/COMMIT. Several
  // statements may be separated by ';'. Values go through Prepare + Bind.
  Status Exec(const std::string& sql);
  StatusOr<SqliteStatement> Prepare(const std::string& sql);
  // Like Prepare, but SQL after the first statement is an error
  // (kInvalidArgument), not ignored: for SQL built around user text.
  StatusOr<SqliteStatement> PrepareSingle(const std::string& sql);
  // Runs a single-row, single-column query such as "PRAGMA journal_mode".
  StatusOr<std::string> QueryText(const std::string& sql);

  int64_t LastInsertRowId() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  int64_t Changes() const;

  // Starts counting the frames in the write-ahead log, as each commit on
  // this connection leaves it (sqlite3_wal_hook). Replaces automatic
  // checkpoints on this connection: the caller checkpoints itself.
  void TrackWalFrames();
  // Frames in the WAL after this connection's last commit; 0 before one
  // (or without TrackWalFrames, or outside WAL mode).
  int wal_frames() const { return wal_frames_; }

  // The Status for `rc` from an operation on this connection.
  Status Error(int rc, const std::string& context) const;
  const std::string& path() const { return path_; }

 private:
  SqliteConnection(sqlite3* db, std::string path)
      : db_(db), path_(std::move(path)) {}
  // Prepares the first statement of `sql`; the text after it goes to *rest
  // when `rest` is not null.
  StatusOr<SqliteStatement> PrepareWithTail(const std::string& sql,
                                            std::string* rest);

  sqlite3* db_;
  std::string path_;
  int wal_frames_ = 0;
};

// A transaction scope: Begin() starts it, Commit() ends it, and destruction
// without a successful Commit() rolls it back, so every early return undoes
// the partial work.
class SqliteTransaction {
 public:
  enum class Kind {
    kDeferred,   // a read snapshot; takes the write lock on first write
    kImmediate,  // takes the write lock now (waits up to busy_timeout)
  };
  explicit SqliteTransaction(SqliteConnection& db) : db_(db) {}
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  Status Begin(Kind kind);
  // Failure leaves the transaction open; the destructor rolls it back.
  Status Commit();

 private:
  SqliteConnection& db_;
  bool open_ = false;
};

// Opens an application's existing database file (read-only or read-write)
// whose locks are waited for up to `busy_timeout`: the connection the rows
// and accounts kinds share the file with the application through.
StatusOr<std::unique_ptr<SqliteConnection>> OpenAppDatabase(
    const std::string& path, bool read_only, Duration busy_timeout);

}  // namespace retention

// PgConnection: a thin RAII layer over one libpq connection, for the
// PostgreSQL application-database backend. It owns the PGconn, runs
// statements with bound parameters (values never enter SQL text; they are
// sent as text and typed by the statement's own casts), compiles a
// statement without running it (Prepare), scopes transactions, and maps
// SQLSTATEs to Status in one place (PgError). The connection URI's
// password never appears in a message: every one names the database by
// RedactPassword(uri).
//
// Threading: thread-compatible, not thread-safe: one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

struct pg_conn;
struct pg_result;

namespace retention {

// The rows of one result, as text (libpq's text format). Movable.
class PgResult {
 public:
  explicit PgResult(pg_result* result);
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&&) = delete;
  ~PgResult();

  int rows() const;
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;  // "" when NULL
  int64_t Int64(int row, int column) const;     // 0 when NULL
  double Double(int row, int column) const;     // 0 when NULL

 private:
  friend class PgConnection;
  pg_result* result_;
};

// Parameters of one statement, $1.. in order (nullopt: NULL).
using PgParams = std::vector<std::optional<std::string>>;

// Appends `value` to `params` and returns its placeholder ("$3"), for
// statements assembled from parts that each bind their own values.
std::string BindParam(PgParams* params, std::string value);

class PgConnection {
 public:
  // Connects to `uri` (a libpq connection URI or conninfo string: unix
  // sockets via ?host=/dir, passfile / PGPASSFILE, sslmode as libpq does).
  // A connect timeout of 10 s applies unless the URI sets connect_timeout.
  // Failure: kPermissionDenied (authentication failed), kIoError (anything
  // else: unreachable, no such database), naming the redacted URI.
  static StatusOr<std::unique_ptr<PgConnection>> Open(const std::string& uri);
  ~PgConnection();

  // Runs `sql` (one or more statements, no parameters).
  Status Exec(const std::string& sql);
  // Runs one statement with $1.. bound to `params` (nullopt: NULL).
  StatusOr<PgResult> Query(const std::string& sql,
                           const PgParams& params = {});
  // Parses and analyses one statement with `param_count` parameters without
  // running it (the unnamed prepared statement of the extended protocol):
  // a syntax error or an unknown column is an error here.
  Status Prepare(const std::string& sql, int param_count);
  // The database for messages: the URI without its password.
  const std::string& name() const { return name_; }

 private:
  PgConnection(pg_conn* conn, std::string name);
  Status ResultStatus(pg_result* result, const std::string& context);

  pg_conn* conn_;
  std::string name_;
};

// Maps a failed statement's SQLSTATE to a Status: 55P03 (lock_not_available,
// lock_timeout), 57014 (query_canceled, statement_timeout), 40P01 and 40001
// -> kBusy; 42P01, 42703, 3F000 (no such table, column, schema) ->
// kNotFound; class 42 otherwise -> kInvalidArgument; 28xxx and 42501 ->
// kPermissionDenied; 53100 (disk_full) -> kNoSpace; anything else ->
// kIoError. The message is "`context`: <server message>".
Status PgError(const std::string& sqlstate, const std::string& context,
               const std::string& message);

// A transaction on a PgConnection: BEGIN [READ ONLY] at Begin, ROLLBACK on
// destruction unless committed. SET LOCAL lock_timeout and statement_timeout
// (and synchronous_commit = off when asked) are issued with BEGIN, in the
// same round trip, so every statement in it is bounded.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& db) : db_(db) {}
  ~PgTransaction();
  Status Begin(bool read_only, Duration lock_timeout,
               Duration statement_timeout, bool synchronous_commit = true);
  Status Commit();

 private:
  PgConnection& db_;
  bool open_ = false;
};

}  // namespace retention

#include "sql/pg_connection.h"

#include <libpq-fe.h>

#include <chrono>
#include <cstdlib>

#include "sql/sql_names.h"

namespace retention {
namespace {

// libpq's messages end with a newline, and may quote a parameter it could
// not use: the password, should it appear, is cut out like in the URI.
std::string Clean(std::string message, const std::string& uri) {
  while (!message.empty() &&
         (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  const std::string redacted = RedactPassword(uri);
  const size_t scheme = uri.find("://");
  const size_t at = uri.find('@');
  if (scheme != std::string::npos && at != std::string::npos &&
      redacted != uri) {
    const size_t colon = uri.find(':', scheme + 3);
    const std::string password = uri.substr(colon + 1, at - colon - 1);
    for (size_t p = message.find(password);
         !password.empty() && p != std::string::npos;
         p = message.find(password, p + 3)) {
      message.replace(p, password.size(), "***");
    }
  }
  return message;
}

std::string Millis(Duration d) {
  return std::to_string(
             std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) +
         "ms";
}

}  // namespace

Status PgError(const std::string& sqlstate, const std::string& context,
               const std::string& message) {
  const std::string msg = context + ": " + message;
  const std::string cls = sqlstate.substr(0, 2);
  if (sqlstate == "55P03" || sqlstate == "57014" || sqlstate == "40P01" ||
      sqlstate == "40001") {
    return Status::Busy(msg);
  }
  if (sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "3F000") {
    return Status::NotFound(msg);
  }
  if (cls == "28" || sqlstate == "42501") return Status::PermissionDenied(msg);
  if (cls == "42") return Status::InvalidArgument(msg);
  if (sqlstate == "53100") return Status::NoSpace(msg);
  return Status::IoError(msg);
}

PgResult::PgResult(pg_result* result) : result_(result) {}
PgResult::PgResult(PgResult&& other) noexcept : result_(other.result_) {
  other.result_ = nullptr;
}
PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}
int PgResult::rows() const { return PQntuples(result_); }
bool PgResult::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}
std::string PgResult::Text(int row, int column) const {
  return PQgetvalue(result_, row, column);
}
int64_t PgResult::Int64(int row, int column) const {
  return std::strtoll(PQgetvalue(result_, row, column), nullptr, 10);
}
double PgResult::Double(int row, int column) const {
  return std::strtod(PQgetvalue(result_, row, column), nullptr);
}

StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(
    const std::string& uri) {
  // Earlier keywords are defaults that the URI (expanded in place of
  // dbname) overrides.
  const char* keys[] = {"connect_timeout", "fallback_application_name",
                        "dbname", nullptr};
  const char* values[] = {"10", "retentiond", uri.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, 1);
  const std::string name = RedactPassword(uri);
  if (conn == nullptr)
    return Status::IoError("connect to " + name + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = Clean(PQerrorMessage(conn), uri);
    PQfinish(conn);
    const std::string msg = "cannot connect to " + name + ": " + why;
    if (why.find("password authentication failed") != std::string::npos ||
        why.find("no password supplied") != std::string::npos ||
        why.find("authentication failed") != std::string::npos) {
      return Status::PermissionDenied(msg);
    }
    return Status::IoError(msg);
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn, name));
}

PgConnection::PgConnection(pg_conn* conn, std::string name)
    : conn_(conn), name_(std::move(name)) {}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::ResultStatus(pg_result* result,
                                  const std::string& context) {
  const ExecStatusType st = PQresultStatus(result);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const std::string message =
      primary != nullptr ? primary : Clean(PQerrorMessage(conn_), name_);
  // A lost connection has no SQLSTATE: it is an I/O error.
  return PgError(state != nullptr ? state : "", context + " " + name_, message);
}

Status PgConnection::Exec(const std::string& sql) {
  PgResult result(PQexec(conn_, sql.c_str()));
  return ResultStatus(result.result_, "in");
}

std::string BindParam(PgParams* params, std::string value) {
  params->push_back(std::move(value));
  return "$" + std::to_string(params->size());
}

StatusOr<PgResult> PgConnection::Query(const std::string& sql,
                                       const PgParams& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult result(PQexecParams(conn_, sql.c_str(),
                               static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
  Status st = ResultStatus(result.result_, "in");
  if (!st.ok()) return st;
  return result;
}

Status PgConnection::Prepare(const std::string& sql, int param_count) {
  PgResult result(PQprepare(conn_, "", sql.c_str(), param_count, nullptr));
  return ResultStatus(result.result_, "compiling against");
}

PgTransaction::~PgTransaction() {
  // Nothing to report: the work is discarded either way, and a lost
  // connection discards it too.
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status PgTransaction::Begin(bool read_only, Duration lock_timeout,
                            Duration statement_timeout,
                            bool synchronous_commit) {
  Status st = db_.Exec(std::string(read_only ? "BEGIN READ ONLY" : "BEGIN") +
                       "; SET LOCAL lock_timeout = '" + Millis(lock_timeout) +
                       "'; SET LOCAL statement_timeout = '" +
                       Millis(statement_timeout) + "'" +
                       (synchronous_commit
                            ? ""
                            : "; SET LOCAL synchronous_commit = off"));
  open_ = true;  // even on failure: BEGIN may have run
  return st;
}

Status PgTransaction::Commit() {
  open_ = false;
  return db_.Exec("COMMIT");
}

}  // namespace retention

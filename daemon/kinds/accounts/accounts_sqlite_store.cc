// The SQLite implementation of the AccountsDatabase seam
// (accounts_database.h). Identifiers were validated as plain SQL names and
// are quoted; account ids, anonymized values and times are bound.
#include <sqlite3.h>

#include <charconv>

#include "config/database_url.h"
#include "kinds/accounts/accounts_database.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

// Binds an account id as the application stored it: an integer when it
// reads as one (column affinity makes that match INTEGER and TEXT columns
// alike), else text.
void BindId(SqliteStatement& stmt, int at, const std::string& id) {
  int64_t n = 0;
  const char* end = id.data() + id.size();
  auto [p, ec] = std::from_chars(id.data(), end, n);
  if (ec == std::errc() && p == end && std::to_string(n) == id) {
    stmt.Bind(at, n);
  } else {
    stmt.Bind(at, std::string_view(id));
  }
}

class SqliteAccounts final : public AccountsDatabase {
 public:
  SqliteAccounts(std::unique_ptr<SqliteConnection> db, const AccountsRule& rule)
      : db_(std::move(db)),
        rule_(rule),
        table_(QuoteIdentifier(rule.table)),
        id_(QuoteIdentifier(rule.id_column)),
        seconds_(SqlTimeSeconds(rule.format,
                                QuoteIdentifier(rule.deleted_column))) {}

  Status Check() override;
  StatusOr<AccountsSnapshot> Snapshot() override;
  StatusOr<PurgedRows> PurgeRows(const std::string& id,
                                 WallTime due_before) override;
  StatusOr<bool> StillDue(const std::string& id, WallTime due_before) override;

 private:
  Status CheckColumn(const std::string& table, const std::string& column,
                     const std::string& key);
  Status PurgeCascade(const std::string& id, PurgedRows* out);
  Status PurgeAccountRow(const std::string& id, PurgedRows* out);
  std::string AnonymizeSql() const;

  std::unique_ptr<SqliteConnection> db_;
  AccountsRule rule_;
  std::string table_;    // quoted
  std::string id_;       // quoted
  std::string seconds_;  // the deleted column as unix seconds, or NULL
};

Status SqliteAccounts::CheckColumn(const std::string& table,
                                   const std::string& column,
                                   const std::string& key) {
  auto t = db_->Prepare(
      "SELECT type FROM pragma_table_list WHERE schema = 'main' AND name = ?1 "
      "COLLATE NOCASE");
  if (!t.ok()) return t.status();
  t->Bind(1, table);
  auto has_table = t->Step();
  if (!has_table.ok()) return has_table.status();
  if (!*has_table || t->ColumnText(0) != "table") {
    return Status::NotFound(key + ": no table " + table + " in " +
                            rule_.database);
  }
  auto c = db_->Prepare(
      "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE");
  if (!c.ok()) return c.status();
  c->Bind(1, table).Bind(2, column);
  auto has_column = c->Step();
  if (!has_column.ok()) return has_column.status();
  if (!*has_column) {
    return Status::NotFound(key + ": no column " + column + " in table " +
                            table + " (" + rule_.database + ")");
  }
  return Status::Ok();
}

Status SqliteAccounts::Check() {
  RETENTION_RETURN_IF_ERROR(
      CheckColumn(rule_.table, rule_.id_column, "id_column"));
  RETENTION_RETURN_IF_ERROR(
      CheckColumn(rule_.table, rule_.deleted_column, "deleted_column"));
  for (const CascadeRef& ref : rule_.cascade) {
    RETENTION_RETURN_IF_ERROR(CheckColumn(
        ref.table, ref.column, "cascade " + ref.table + "." + ref.column));
  }
  for (const Assignment& a : rule_.anonymize) {
    RETENTION_RETURN_IF_ERROR(
        CheckColumn(rule_.table, a.column, "anonymize " + a.column));
  }
  return Status::Ok();
}

StatusOr<AccountsSnapshot> SqliteAccounts::Snapshot() {
  SqliteTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(tx.Begin(SqliteTransaction::Kind::kDeferred));
  AccountsSnapshot snap;
  auto total = db_->Prepare("SELECT count(*) FROM " + table_);
  if (!total.ok()) return total.status();
  auto counted = total->Step();
  if (!counted.ok()) return counted.status();
  snap.total = total->ColumnInt64(0);
  auto stmt =
      db_->Prepare("SELECT CAST(" + id_ + " AS TEXT), " + seconds_ + " FROM " +
                   table_ + " WHERE " + QuoteIdentifier(rule_.deleted_column) +
                   " IS NOT NULL ORDER BY 2");
  if (!stmt.ok()) return stmt.status();
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    DeletedAccount a{stmt->ColumnText(0), std::nullopt};
    if (!stmt->ColumnIsNull(1)) {
      a.deleted = WallTimeFromSeconds(stmt->ColumnDouble(1));
    }
    snap.deleted.push_back(std::move(a));
  }
  return snap;
}

StatusOr<bool> SqliteAccounts::StillDue(const std::string& id,
                                        WallTime due_before) {
  auto stmt = db_->Prepare("SELECT " + seconds_ + " FROM " + table_ +
                           " WHERE " + id_ + " = ?1");
  if (!stmt.ok()) return stmt.status();
  BindId(*stmt, 1, id);
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return true;  // no account row: purged before, or never had one
  if (stmt->ColumnIsNull(0)) return false;  // restored, or not a time
  return WallTimeFromSeconds(stmt->ColumnDouble(0)) < due_before;
}

Status SqliteAccounts::PurgeCascade(const std::string& id, PurgedRows* out) {
  for (const CascadeRef& ref : rule_.cascade) {
    auto stmt = db_->Prepare("DELETE FROM " + QuoteIdentifier(ref.table) +
                             " WHERE " + QuoteIdentifier(ref.column) + " = ?1");
    if (!stmt.ok()) {
      return Status::IoError("cascade " + ref.table + "." + ref.column + ": " +
                             stmt.status().message() + "; nothing purged");
    }
    BindId(*stmt, 1, id);
    RETENTION_RETURN_IF_ERROR(stmt->Run());
    out->cascade.push_back({ref.table, db_->Changes()});
  }
  return Status::Ok();
}

std::string SqliteAccounts::AnonymizeSql() const {
  std::string sql = "UPDATE " + table_ + " SET ";
  for (size_t i = 0; i < rule_.anonymize.size(); ++i) {
    const Assignment& a = rule_.anonymize[i];
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(a.column) + " = " +
           (a.value ? "?" + std::to_string(i + 2) : std::string("NULL"));
  }
  return sql + " WHERE " + id_ + " = ?1";
}

Status SqliteAccounts::PurgeAccountRow(const std::string& id, PurgedRows* out) {
  if (rule_.account_row == AccountRow::kKeep) return Status::Ok();
  const std::string sql =
      rule_.account_row == AccountRow::kDelete
          ? "DELETE FROM " + table_ + " WHERE " + id_ + " = ?1"
          : AnonymizeSql();
  auto stmt = db_->Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  BindId(*stmt, 1, id);
  for (size_t i = 0; i < rule_.anonymize.size(); ++i) {
    const auto& v = rule_.anonymize[i].value;
    if (v) stmt->Bind(static_cast<int>(i + 2), std::string_view(*v));
  }
  RETENTION_RETURN_IF_ERROR(stmt->Run());
  out->account_rows = db_->Changes();
  return Status::Ok();
}

StatusOr<PurgedRows> SqliteAccounts::PurgeRows(const std::string& id,
                                               WallTime due_before) {
  SqliteTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(tx.Begin(SqliteTransaction::Kind::kImmediate));
  auto due = StillDue(id, due_before);
  if (!due.ok()) return due.status();
  if (!*due) return NoLongerDue(id);
  PurgedRows out;
  RETENTION_RETURN_IF_ERROR(PurgeCascade(id, &out));
  RETENTION_RETURN_IF_ERROR(PurgeAccountRow(id, &out));
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  return out;
}

}  // namespace

Status NoLongerDue(const std::string& id) {
  return Status::FailedPrecondition(
      "account " + id +
      " is no longer marked deleted before its deadline; nothing purged");
}

std::string PurgedRows::Describe(AccountRow mode) const {
  std::string out;
  for (const auto& [table, n] : cascade) {
    out += table + " " + std::to_string(n) + ", ";
  }
  switch (mode) {
    case AccountRow::kKeep:
      return out + "account row kept";
    case AccountRow::kAnonymize:
      return out + "account row " +
             (account_rows > 0 ? "anonymized" : "already gone");
    case AccountRow::kDelete:
      break;
  }
  return out + "account row " + (account_rows > 0 ? "deleted" : "already gone");
}

StatusOr<std::unique_ptr<AccountsDatabase>> OpenAccountsDatabase(
    const AccountsRule& rule, bool read_only, Duration wait) {
  return rule.pg_uri.empty() ? OpenSqliteAccounts(rule, read_only, wait)
                             : OpenPgAccounts(rule, read_only, wait);
}

StatusOr<std::unique_ptr<AccountsDatabase>> OpenSqliteAccounts(
    const AccountsRule& rule, bool read_only, Duration busy_timeout) {
  auto db = OpenAppDatabase(rule.database, read_only, busy_timeout);
  if (!db.ok()) return db.status();
  return std::unique_ptr<AccountsDatabase>(
      new SqliteAccounts(std::move(*db), rule));
}

}  // namespace retention

// The PostgreSQL implementation of the AccountsDatabase seam
// (accounts_database.h). Table and column names are plain SQL names looked
// up through the connection's search_path, quoted; account ids, anonymized
// values and times are bound parameters, cast to the column's own type
// (read from the catalog at Check) so that the id column's index is used.
//
// A purge is one transaction bounded by lock_timeout and statement_timeout
// (kBusy when either fires: the purge waits for the next run). It locks
// the account's row (SELECT ... FOR UPDATE) before it re-checks that the
// account is still marked deleted, so an application restoring the account
// at that moment either wins before the check or waits for the commit;
// two retentiond hosts purging one account are serialized the same way
// (the second finds the row gone and purges nothing more).
#include <map>

#include "kinds/accounts/accounts_database.h"
#include "sql/pg_connection.h"
#include "sql/pg_time.h"
#include "sql/sql_names.h"

namespace retention {
namespace {

constexpr Duration kStatementTimeout = std::chrono::seconds(30);

// `dml` (a DELETE or UPDATE) as a query returning how many rows it changed.
std::string Counted(const std::string& dml) {
  return "WITH changed AS (" + dml + " RETURNING 1) SELECT count(*) FROM changed";
}

class PgAccounts final : public AccountsDatabase {
 public:
  PgAccounts(std::unique_ptr<PgConnection> db, const AccountsRule& rule,
             bool read_only, Duration lock_timeout)
      : db_(std::move(db)),
        rule_(rule),
        read_only_(read_only),
        lock_timeout_(lock_timeout),
        table_(QuoteIdentifier(rule.table)),
        id_(QuoteIdentifier(rule.id_column)) {
    deleted_.quoted = QuoteIdentifier(rule.deleted_column);
    deleted_.format = rule.format;
  }

  Status Check() override;
  StatusOr<AccountsSnapshot> Snapshot() override;
  StatusOr<PurgedRows> PurgeRows(const std::string& id,
                                 WallTime due_before) override;
  StatusOr<bool> StillDue(const std::string& id, WallTime due_before) override;

 private:
  Status Begin(PgTransaction& tx, bool read_only) {
    return tx.Begin(read_only, lock_timeout_, kStatementTimeout);
  }
  // The catalog's type of table.column; kNotFound naming `key`.
  StatusOr<std::string> ColumnType(const std::string& table,
                                   const std::string& column,
                                   const std::string& key);
  Status Describe();
  // id = $1 in the id column's type, optionally locking the row.
  StatusOr<std::optional<bool>> Due(const std::string& id, WallTime due_before,
                                    bool lock);
  Status PurgeCascade(const std::string& id, PurgedRows* out);
  Status PurgeAccountRow(const std::string& id, PurgedRows* out);
  std::string Where() const { return rule_.table + " (" + db_->name() + ")"; }

  std::unique_ptr<PgConnection> db_;
  AccountsRule rule_;
  bool read_only_;
  Duration lock_timeout_;
  std::string table_, id_;  // quoted
  PgTimeColumn deleted_;
  bool described_ = false;
  std::string id_type_;
  std::map<std::string, std::string> cascade_types_;  // "table.column"
};

StatusOr<std::string> PgAccounts::ColumnType(const std::string& table,
                                             const std::string& column,
                                             const std::string& key) {
  auto r = db_->Query(
      "SELECT c.relkind, format_type(a.atttypid, NULL) FROM pg_class c LEFT "
      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND "
      "a.attnum > 0 AND NOT a.attisdropped WHERE c.oid = to_regclass($1)",
      {QuoteIdentifier(table), column});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    return Status::NotFound(key + ": no table " + table + " in " +
                            db_->name());
  }
  const std::string kind = r->Text(0, 0);
  if (kind != "r" && kind != "p") {
    return Status::NotFound(key + ": " + table + " in " + db_->name() +
                            " is not a table (relkind " + kind + ")");
  }
  if (r->IsNull(0, 1)) {
    return Status::NotFound(key + ": no column " + column + " in table " +
                            table + " (" + db_->name() + ")");
  }
  return r->Text(0, 1);
}

Status PgAccounts::Describe() {
  if (described_) return Status::Ok();
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, true));
  auto id = ColumnType(rule_.table, rule_.id_column, "id_column");
  if (!id.ok()) return id.status();
  auto deleted =
      ColumnType(rule_.table, rule_.deleted_column, "deleted_column");
  if (!deleted.ok()) return deleted.status();
  deleted_.regtype = *deleted;
  deleted_.type = PgTimeTypeOf(*deleted);
  RETENTION_RETURN_IF_ERROR(deleted_.CheckFormat(
      "deleted_column: column " + rule_.deleted_column + " of " + Where()));
  std::map<std::string, std::string> cascade;
  for (const CascadeRef& ref : rule_.cascade) {
    auto t = ColumnType(ref.table, ref.column,
                        "cascade " + ref.table + "." + ref.column);
    if (!t.ok()) return t.status();
    cascade[ref.table + "." + ref.column] = *t;
  }
  for (const Assignment& a : rule_.anonymize) {
    auto t = ColumnType(rule_.table, a.column, "anonymize " + a.column);
    if (!t.ok()) return t.status();
  }
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  id_type_ = *id;
  cascade_types_ = std::move(cascade);
  described_ = true;
  return Status::Ok();
}

Status PgAccounts::Check() { return Describe(); }

StatusOr<AccountsSnapshot> PgAccounts::Snapshot() {
  RETENTION_RETURN_IF_ERROR(Describe());
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, true));
  // One statement: the list and the total come from one snapshot.
  auto r = db_->Query("SELECT NULL::text, NULL::float8, count(*) FROM " +
                      table_ + " UNION ALL (SELECT " + id_ + "::text, " +
                      deleted_.Seconds() + ", NULL FROM " + table_ +
                      " WHERE " + deleted_.quoted + " IS NOT NULL ORDER BY 2)");
  if (!r.ok()) return r.status();
  AccountsSnapshot snap;
  for (int i = 0; i < r->rows(); ++i) {
    if (!r->IsNull(i, 2)) {
      snap.total = r->Int64(i, 2);
      continue;
    }
    DeletedAccount a{r->Text(i, 0), std::nullopt};
    // NULL seconds: infinity or a value the format cannot read.
    if (!r->IsNull(i, 1)) a.deleted = WallTimeFromSeconds(r->Double(i, 1));
    snap.deleted.push_back(std::move(a));
  }
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  return snap;
}

StatusOr<std::optional<bool>> PgAccounts::Due(const std::string& id,
                                              WallTime due_before,
                                              bool lock) {
  auto r = db_->Query(
      "SELECT " + deleted_.Seconds() + " < $2::float8 FROM " + table_ +
          " WHERE " + id_ + " = $1::" + id_type_ + (lock ? " FOR UPDATE" : ""),
      {id, std::to_string(std::chrono::duration<double>(
                              due_before.time_since_epoch())
                              .count())});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<bool>();  // no account row
  return std::optional<bool>(!r->IsNull(0, 0) && r->Text(0, 0) == "t");
}

StatusOr<bool> PgAccounts::StillDue(const std::string& id,
                                    WallTime due_before) {
  RETENTION_RETURN_IF_ERROR(Describe());
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, true));
  auto due = Due(id, due_before, false);
  if (!due.ok()) return due.status();
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  // No account row: purged before, or never had one.
  return !due->has_value() || **due;
}

Status PgAccounts::PurgeCascade(const std::string& id, PurgedRows* out) {
  for (const CascadeRef& ref : rule_.cascade) {
    auto r = db_->Query(
        Counted("DELETE FROM " + QuoteIdentifier(ref.table) + " WHERE " +
                QuoteIdentifier(ref.column) + " = $1::" +
                cascade_types_.at(ref.table + "." + ref.column)),
        {id});
    if (!r.ok()) return r.status();
    out->cascade.push_back({ref.table, r->Int64(0, 0)});
  }
  return Status::Ok();
}

Status PgAccounts::PurgeAccountRow(const std::string& id, PurgedRows* out) {
  if (rule_.account_row == AccountRow::kKeep) return Status::Ok();
  std::vector<std::optional<std::string>> params = {id};
  std::string sql;
  if (rule_.account_row == AccountRow::kDelete) {
    sql = "DELETE FROM " + table_;
  } else {
    sql = "UPDATE " + table_ + " SET ";
    for (size_t i = 0; i < rule_.anonymize.size(); ++i) {
      const Assignment& a = rule_.anonymize[i];
      if (i > 0) sql += ", ";
      sql += QuoteIdentifier(a.column) + " = ";
      if (a.value) {
        params.push_back(*a.value);
        sql += "$" + std::to_string(params.size());
      } else {
        sql += "NULL";
      }
    }
  }
  auto r = db_->Query(Counted(sql + " WHERE " + id_ + " = $1::" + id_type_),
                      params);
  if (!r.ok()) return r.status();
  out->account_rows = r->Int64(0, 0);
  return Status::Ok();
}

StatusOr<PurgedRows> PgAccounts::PurgeRows(const std::string& id,
                                           WallTime due_before) {
  RETENTION_RETURN_IF_ERROR(Describe());
  if (read_only_) return Status::FailedPrecondition("read-only connection");
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, false));
  auto due = Due(id, due_before, true);
  if (!due.ok()) return due.status();
  if (due->has_value() && !**due) return NoLongerDue(id);
  PurgedRows out;
  RETENTION_RETURN_IF_ERROR(PurgeCascade(id, &out));
  RETENTION_RETURN_IF_ERROR(PurgeAccountRow(id, &out));
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<AccountsDatabase>> OpenPgAccounts(
    const AccountsRule& rule, bool read_only, Duration lock_timeout) {
  auto db = PgConnection::Open(rule.pg_uri);
  if (!db.ok()) return db.status();
  return std::unique_ptr<AccountsDatabase>(
      new PgAccounts(std::move(*db), rule, read_only, lock_timeout));
}

}  // namespace retention

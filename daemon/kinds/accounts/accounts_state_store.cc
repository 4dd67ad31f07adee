// AccountsStore (accounts_state_store.h), schema 6: the progress of each purge
// and the purges waiting for their grace.
#include "kinds/accounts/accounts_state_store.h"

#include "core/verb.h"
#include "sql/sqlite_connection.h"

namespace retention {
namespace {

int64_t Ns(WallTime t) { return t.time_since_epoch().count(); }
WallTime FromNs(int64_t ns) { return WallTime(Duration(ns)); }

}  // namespace

Status AccountsStore::SaveAccountPurge(const AccountPurge& purge) {
  StateDb::Locked db = state_.Lock();
  StatusOr<SqliteStatement> stmt = db->Prepare(
      "INSERT INTO account_purges (policy, account, deleted_ns, stage, rows, "
      "updated_ns) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (policy, account) "
      "DO UPDATE SET deleted_ns = excluded.deleted_ns, stage = "
      "excluded.stage, rows = excluded.rows, updated_ns = excluded.updated_ns");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, purge.policy)
      .Bind(2, purge.account)
      .Bind(3, Ns(purge.deleted))
      .Bind(4, purge.stage)
      .Bind(5, purge.rows)
      .Bind(6, Ns(purge.updated));
  return stmt->Run();
}

StatusOr<std::vector<AccountPurge>> AccountsStore::AccountPurges(
    const std::string& policy) {
  StateDb::Locked db = state_.Lock();
  StatusOr<SqliteStatement> stmt = db->Prepare(
      "SELECT account, deleted_ns, stage, rows, updated_ns FROM "
      "account_purges WHERE policy = ? ORDER BY account");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, policy);
  std::vector<AccountPurge> out;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(AccountPurge{policy, stmt->ColumnText(0),
                               FromNs(stmt->ColumnInt64(1)),
                               stmt->ColumnText(2), stmt->ColumnText(3),
                               FromNs(stmt->ColumnInt64(4))});
  }
  return out;
}

Status AccountsStore::ReplacePendingPurges(
    const std::string& policy, const std::vector<PendingPurge>& pending) {
  StateDb::Locked db = state_.Lock();
  SqliteTransaction tx(*db);
  RETENTION_RETURN_IF_ERROR(tx.Begin(SqliteTransaction::Kind::kImmediate));
  StatusOr<SqliteStatement> clear =
      db->Prepare("DELETE FROM account_pending WHERE policy = ?");
  if (!clear.ok()) return clear.status();
  RETENTION_RETURN_IF_ERROR(clear->Bind(1, policy).Run());
  StatusOr<SqliteStatement> insert = db->Prepare(
      "INSERT OR REPLACE INTO account_pending (policy, account, deleted_ns, "
      "due_ns, held) VALUES (?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  for (const PendingPurge& p : pending) {
    insert->Reset();
    insert->Bind(1, policy)
        .Bind(2, p.account)
        .Bind(3, Ns(p.deleted))
        .Bind(4, Ns(p.due))
        .Bind(5, int64_t{p.held ? 1 : 0});
    RETENTION_RETURN_IF_ERROR(insert->Run());
  }
  return tx.Commit();
}

StatusOr<std::vector<PendingPurge>> AccountsStore::PendingPurges(
    const std::string& policy) {
  StateDb::Locked db = state_.Lock();
  StatusOr<SqliteStatement> stmt = db->Prepare(
      "SELECT account, deleted_ns, due_ns, held FROM account_pending WHERE "
      "policy = ? ORDER BY due_ns, account");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, policy);
  std::vector<PendingPurge> out;
  for (;;) {
    StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(
        PendingPurge{stmt->ColumnText(0), FromNs(stmt->ColumnInt64(1)),
                     FromNs(stmt->ColumnInt64(2)), stmt->ColumnInt64(3) != 0});
  }
  return out;
}

StatusOr<bool> AccountsStore::AccountPurgeRecorded(const std::string& policy,
                                                   const std::string& account,
                                                   WallTime since) {
  return AccountEventRecorded(policy, account, VerbName(Verb::kPurge), since);
}

StatusOr<bool> AccountsStore::AccountEventRecorded(const std::string& policy,
                                                   const std::string& account,
                                                   const std::string& action,
                                                   WallTime since) {
  StateDb::Locked db = state_.Lock();
  StatusOr<SqliteStatement> stmt = db->Prepare(
      "SELECT 1 FROM ledger WHERE time_ns >= ? AND policy = ? AND action = "
      "? AND target = ? LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, Ns(since))
      .Bind(2, policy)
      .Bind(3, action)
      .Bind(4, "account " + account);
  return stmt->Step();
}

}  // namespace retention

// AccountsDatabase: the seam between the [accounts] kind and the
// application's database. It lists the accounts marked deleted (id and the
// deleted time, read in the column's format exactly as rows policies read
// theirs, sql_time.h), and purges one account's rows — every cascade
// table's rows, then the account row deleted, anonymized or kept — in ONE
// write transaction, re-checking inside it that the account is still
// marked deleted before its deadline (an application that restored the
// account meanwhile wins). Only its implementations speak SQL
// (accounts_sqlite_store.cc, accounts_pg_store.cc); tests use real SQLite
// files and private PostgreSQL clusters.
//
// Threading: thread-compatible; a policy run uses it from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "kinds/accounts/accounts_rule.h"

namespace retention {

struct DeletedAccount {
  std::string id;  // the id column's value as text
  // nullopt: the deleted column holds something that is not a time in the
  // format (never purged; counted as a warning).
  std::optional<WallTime> deleted;
};

struct AccountsSnapshot {
  std::vector<DeletedAccount> deleted;  // deleted column not NULL
  int64_t total = 0;                    // every account in the table
};

// What one purge transaction did.
struct PurgedRows {
  std::vector<std::pair<std::string, int64_t>> cascade;  // table, rows
  int64_t account_rows = 0;  // account rows deleted or anonymized

  // "sessions 3, usage_events 0, account row deleted": the ledger detail.
  std::string Describe(AccountRow mode) const;
};

// PurgeRows' refusal of an account restored (or marked again later) since
// it was planned: kFailedPrecondition, the same words on every backend.
Status NoLongerDue(const std::string& id);

class AccountsDatabase {
 public:
  virtual ~AccountsDatabase() = default;
  // Checks that the table and the id and deleted columns, every cascade
  // TABLE.COLUMN and every anonymized column exist. kNotFound naming the
  // missing one (and the key it comes from), or the read error.
  virtual Status Check() = 0;
  // Every account whose deleted column is not NULL, in one read snapshot.
  virtual StatusOr<AccountsSnapshot> Snapshot() = 0;
  // In one write transaction: if account `id` still exists and is not
  // marked deleted before `due_before` (restored, or marked again later),
  // kFailedPrecondition and nothing changes; otherwise deletes its rows
  // from every cascade table and deletes, anonymizes or keeps its row.
  // A missing account row is fine (purged before: the cascade still runs,
  // finding nothing or what was left). Any error rolls everything back.
  virtual StatusOr<PurgedRows> PurgeRows(const std::string& id,
                                         WallTime due_before) = 0;
  // Whether account `id` may be purged now: true when it is marked deleted
  // before `due_before` or no longer exists. Read-only.
  virtual StatusOr<bool> StillDue(const std::string& id,
                                  WallTime due_before) = 0;
};

// Opens `rule`'s database: OpenPgAccounts when rule.pg_uri is set, else
// OpenSqliteAccounts. `wait` is the busy timeout (SQLite) or the lock
// timeout (PostgreSQL).
StatusOr<std::unique_ptr<AccountsDatabase>> OpenAccountsDatabase(
    const AccountsRule& rule, bool read_only, Duration wait);

// Opens a connection to `rule.database` (which must exist) with a busy
// timeout of `busy_timeout`. Read-only connections can Check, Snapshot
// and StillDue only. Failure: kNotFound / kPermissionDenied / kIoError.
StatusOr<std::unique_ptr<AccountsDatabase>> OpenSqliteAccounts(
    const AccountsRule& rule, bool read_only, Duration busy_timeout);

// Connects to `rule.pg_uri` (accounts_pg_store.cc); every statement runs
// under `lock_timeout` and a 30 s statement timeout. Failure: as
// PgConnection::Open.
StatusOr<std::unique_ptr<AccountsDatabase>> OpenPgAccounts(
    const AccountsRule& rule, bool read_only, Duration lock_timeout);

}  // namespace retention

// AccountsStore: the accounts kind's tables in the state database
// (schema 6): the progress of each purge, so that one cut short by a crash
// is completed at the next run, and the accounts waiting for their grace.
// Built on StateDb's connection, as Ledger is. Thread-safe (StateDb's lock).
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "core/state_db.h"

namespace retention {

// The progress of one account's purge ([accounts], accounts_policy.h).
struct AccountPurge {
  std::string policy;
  std::string account;  // the account id
  WallTime deleted{};   // the deleted time it is purged for
  // "moving" (before its data directory is moved into quarantine),
  // "rows" (its rows are gone; `rows` says how many), "recording" (its
  // tree is gone; the ledger entry is being written), "done" (recorded);
  // and the stages of a purge undone (accounts_planner.h).
  std::string stage;
  // "sessions 3, usage_events 5, account row deleted"; at "moving" the
  // data directory's identity ("data_dir DEV:INO").
  std::string rows;
  WallTime updated{};
};

// An account marked deleted whose grace has not passed yet.
struct PendingPurge {
  std::string account;
  WallTime deleted{};
  WallTime due{};
  bool held = false;  // due already, but a hold keeps it
};

class AccountsStore {
 public:
  explicit AccountsStore(StateDb& state) : state_(state) {}

  // SaveAccountPurge inserts or replaces the record of (policy, account);
  // AccountPurges lists a policy's records by account. ReplacePendingPurges
  // swaps a policy's pending list for `pending` in one transaction;
  // PendingPurges reads it, soonest due first.
  Status SaveAccountPurge(const AccountPurge& purge);
  StatusOr<std::vector<AccountPurge>> AccountPurges(const std::string& policy);
  Status ReplacePendingPurges(const std::string& policy,
                              const std::vector<PendingPurge>& pending);
  StatusOr<std::vector<PendingPurge>> PendingPurges(const std::string& policy);
  // Whether the ledger holds a "purge" of account `account` by `policy`
  // recorded at or after `since` (a purge cut short between its ledger
  // entry and its "done" record is not recorded twice).
  StatusOr<bool> AccountPurgeRecorded(const std::string& policy,
                                      const std::string& account,
                                      WallTime since);
  // The same for a ledger entry of any `action` ("restore").
  StatusOr<bool> AccountEventRecorded(const std::string& policy,
                                      const std::string& account,
                                      const std::string& action,
                                      WallTime since);

 private:
  StateDb& state_;
};

}  // namespace retention

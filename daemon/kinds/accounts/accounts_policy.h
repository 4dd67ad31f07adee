// AccountsPolicy: the [accounts] kind — purge the accounts the application
// marked deleted once their grace has passed (DESIGN.md: "a deleted
// account is blocked at once and purged 30 days later").
//
// MakePlan reads the accounts marked deleted on a read-only connection,
// the trees in quarantine and the purges in progress (state database), and
// hands them to PlanAccounts. Execute purges each planned account in three
// steps, recording progress in the state database before each so that a
// process killed anywhere is completed by the next run:
//   a. its data directory (data_dir with {id}) is renamed into the
//      quarantine directory as ID.retentiond-purge, decided on the
//      directory planning saw, not its name (AccountsQuarantine): what
//      cannot be proven to be that directory in quarantine, or to be
//      absent, waits for the next run with the reason in the run's errors,
//      and nothing of that account is purged;
//   b. in ONE transaction its rows are deleted from every cascade table and
//      its own row deleted, anonymized or kept — refused, changing nothing,
//      if the application restored the account meanwhile;
//   c. the quarantined tree is removed handle by handle
//      (RemoveQuarantinedTree).
// Then one ledger entry: action "purge", target "account ID", the bytes
// removed, and the rows removed per table — no other personal data. A
// purge begun (a) whose account is no longer marked deleted is undone:
// the directory goes back where it was and the ledger gets "restore".
// The progress record of each stage is in accounts_planner.h.
//
// Threading: one run at a time (the Runner's contract).
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "config/config.h"
#include "core/policy.h"
#include "kinds/accounts/accounts_database.h"
#include "kinds/accounts/accounts_planner.h"
#include "kinds/accounts/accounts_quarantine.h"
#include "kinds/accounts/accounts_rule.h"
#include "kinds/accounts/accounts_state_store.h"
#include "os/quarantine_removal.h"

namespace retention {

class KindRegistry;
class StateDb;

// Registers the kind's keys, validation and factory. The factory opens the
// database and checks its tables and columns, so a missing one is a
// configuration error at start and at reload.
void RegisterAccountsKind(KindRegistry* registry);

// Opens a new connection to the application database.
using AccountsOpener =
    std::function<StatusOr<std::unique_ptr<AccountsDatabase>>(bool read_only)>;

class AccountsPolicy final : public Policy {
 public:
  AccountsPolicy(std::string id, AccountsRule rule, Filesystem& fs,
                 StateDb& state, AccountsOpener open);

  const std::string& id() const override { return id_; }
  Duration every() const override { return rule_.every; }
  bool destructive() const override { return true; }
  DeleteBrakeLimit delete_brake() const override { return rule_.brake; }
  StatusOr<Plan> MakePlan(WallTime now) override;
  ExecResult Execute(const Plan& plan, ExecContext& ctx) override;

 private:
  // Purges one planned account; false when the run must stop.
  bool PurgeOne(AccountsDatabase& db, const Action& action, WallTime now,
                ExecContext& ctx, ExecResult* result);
  // Steps a and b of a purge at stage "moving", then stage "rows".
  Status MoveAndPurgeRows(AccountsDatabase& db, WallTime due_before,
                          WallTime now, AccountPurge* record);
  // The account of a purge begun is no longer due: its data directory
  // goes back from quarantine (recorded in the ledger as "restore"), or
  // the record says "stranded" and the error says why. True unless the
  // ledger failed (the run must stop).
  bool Unpurge(AccountPurge* record, const Action& action, WallTime now,
               ExecContext& ctx, ExecResult* result);
  // `st` from AccountsQuarantine; kAborted (moved back) marks `record`
  // "aborted" so that the next run plans the account afresh.
  Status Abandoned(AccountPurge* record, const Status& st);
  // Purges whose data directory planning found absent first.
  std::vector<Action> Ordered(const std::vector<Action>& actions) const;
  // Marks `record` done after its ledger entry; true (a failure to mark it
  // is counted: the next run finds the entry and does not record it again).
  bool MarkDone(AccountPurge* record, WallTime now, ExecResult* result);
  // Step a (AccountsQuarantine), the identity recorded before the move.
  Status QuarantineDataDir(AccountPurge* record);
  // Step c.
  StatusOr<TreeRemoval> RemoveQuarantined(const std::string& account);
  StatusOr<std::vector<std::string>> ListQuarantine();
  // Stores the accounts waiting for their grace (and the due ones a hold
  // keeps) for the report.
  Status StorePending(const Plan& plan);

  std::string id_;
  AccountsRule rule_;
  Filesystem& fs_;
  AccountsStore state_;
  AccountsOpener open_;
  // From the last MakePlan, for Execute.
  std::map<std::string, AccountPurge> progress_;
  std::vector<PendingPurge> pending_;
  std::vector<Action> due_;  // before holds
  AccountsQuarantine quarantine_;
  DataDirsSeen seen_;  // the due accounts' data directories
};

}  // namespace retention

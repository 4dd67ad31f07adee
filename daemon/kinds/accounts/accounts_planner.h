// The pure planner of the [accounts] kind: given the accounts marked
// deleted (a database snapshot), the trees waiting in quarantine, the
// progress records of purges begun before, and the time, decide which
// accounts to purge and why, and which wait for their grace.
//
// An account is due when its deleted time is more than
// max(grace, min_age) in the past — never early: one second younger than
// that deadline, it waits. A deleted time that is not a time in the
// column's format is never due (counted in a warning). A purge begun
// before (a progress record not "done") is planned again whatever the
// database now says, so a run cut short anywhere is completed; a purge
// "done" for the same deleted time is not planned again (account_row =
// keep or anonymize leave the row marked deleted). Holds are applied
// afterwards by the Runner (holds.h): each action names "account ID" and
// carries the data directory in Action::tree.
// Thread-safe (no state).
#pragma once

#include <string>
#include <vector>

#include "core/policy.h"
#include "kinds/accounts/accounts_database.h"
#include "kinds/accounts/accounts_rule.h"
#include "kinds/accounts/accounts_state_store.h"

namespace retention {

struct AccountsInput {
  AccountsSnapshot db;
  std::vector<std::string> quarantined;  // account ids with a tree there
  std::vector<AccountPurge> progress;    // this policy's records
};

struct AccountsPlan {
  Plan plan;
  std::vector<PendingPurge> pending;  // not due yet, soonest due first
};

// Actions ("purge", target "account ID") come oldest deleted first, resumed
// purges first of all. Plan::scope is every account in the table (the
// mass-deletion brake's denominator); Plan::kept the accounts waiting,
// with the oldest deleted time among them.
AccountsPlan PlanAccounts(const std::string& policy, const AccountsRule& rule,
                          const AccountsInput& input, WallTime now);

// Stages of a purge's progress record (AccountPurge::stage) besides
// "rows", "recording" and "done": "moving" (before and while its data
// directory moves into quarantine; `rows` holds the directory's identity,
// DirIdentityText), "restoring" / "stranded" (no longer due: moving it
// back / it cannot be moved back), "restored" and "aborted" (nothing
// purged, nothing left in quarantine). "started" is the former "moving",
// without an identity.
inline constexpr char kMoving[] = "moving";
inline constexpr char kRestoring[] = "restoring";
inline constexpr char kStranded[] = "stranded";

// A purge begun and not finished, which every run takes up again.
bool PurgeResumable(const std::string& stage);
// A purge begun whose rows are still there.
bool BeforeRows(const std::string& stage);

// "account 42" and back ("" when `target` names no account).
std::string AccountTarget(const std::string& id);
std::string AccountOfTarget(const std::string& target);

}  // namespace retention

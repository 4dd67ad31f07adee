#include "kinds/accounts/accounts_planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "config/config_value.h"
#include "config/database_url.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {
namespace {

constexpr char kTargetPrefix[] = "account ";

std::string DeadlineWords(const AccountsRule& rule) {
  std::string out = "grace " + FormatDuration(rule.grace);
  if (rule.min_age > rule.grace) {
    out += " raised to the min_age floor " + FormatDuration(rule.min_age);
  }
  return out;
}

Action PurgeAction(const AccountsRule& rule, const std::string& id,
                   WallTime deleted, std::string reason) {
  Action a;
  a.verb = Verb::kPurge;
  a.target = AccountTarget(id);
  a.reason = std::move(reason);
  a.expected.mtime = deleted;
  if (!rule.data_dir.empty()) a.tree = rule.data_dir.PathOf(id);
  return a;
}

std::string DueReason(const AccountsRule& rule, WallTime deleted) {
  return "deleted at " + FormatIso8601(deleted) + ", " + DeadlineWords(rule) +
         ", due " + FormatIso8601(deleted + rule.deadline());
}

void Keep(WallTime deleted, Survivors* kept) {
  ++kept->count;
  if (!kept->oldest || deleted < *kept->oldest) kept->oldest = deleted;
}

}  // namespace

bool PurgeResumable(const std::string& stage) {
  return stage != "done" && stage != "aborted" && stage != "restored";
}

bool BeforeRows(const std::string& stage) {
  return stage == "started" || stage == kMoving || stage == kRestoring ||
         stage == kStranded;
}

std::string AccountTarget(const std::string& id) { return kTargetPrefix + id; }

std::string AccountOfTarget(const std::string& target) {
  const std::string prefix = kTargetPrefix;
  if (target.compare(0, prefix.size(), prefix) != 0) return "";
  return target.substr(prefix.size());
}

AccountsPlan PlanAccounts(const std::string& policy, const AccountsRule& rule,
                          const AccountsInput& input, WallTime now) {
  AccountsPlan out;
  Plan& plan = out.plan;
  plan.policy = policy;
  plan.now = now;
  plan.kept = Survivors{};
  const WallTime due_before = now - rule.deadline();
  std::map<std::string, const AccountPurge*> progress;
  for (const AccountPurge& p : input.progress) progress[p.account] = &p;
  std::set<std::string> planned;
  // Purges begun before come first: each was due when it began.
  for (const AccountPurge& p : input.progress) {
    if (!PurgeResumable(p.stage)) continue;
    planned.insert(p.account);
    plan.actions.push_back(
        PurgeAction(rule, p.account, p.deleted,
                    "resuming the purge begun before (stage " + p.stage +
                        "); " + DueReason(rule, p.deleted)));
  }
  uint64_t unparseable = 0;
  for (const DeletedAccount& a : input.db.deleted) {
    if (planned.count(a.id)) continue;
    if (!IsSafeAccountId(a.id)) {
      plan.warnings.push_back("account id \"" + a.id +
                              "\" cannot name a directory; not purged");
      continue;
    }
    if (!a.deleted) {
      ++unparseable;
      continue;
    }
    auto done = progress.find(a.id);
    if (done != progress.end() && done->second->stage == "done" &&
        done->second->deleted == *a.deleted) {
      continue;  // purged for this very deletion already
    }
    if (*a.deleted < due_before) {
      planned.insert(a.id);
      plan.actions.push_back(
          PurgeAction(rule, a.id, *a.deleted, DueReason(rule, *a.deleted)));
      continue;
    }
    Keep(*a.deleted, &*plan.kept);
    out.pending.push_back({a.id, *a.deleted, *a.deleted + rule.deadline()});
  }
  for (const std::string& id : input.quarantined) {
    if (planned.count(id)) continue;
    plan.warnings.push_back(rule.quarantine + "/" + id + kQuarantineMarker +
                            ": no purge of account " + id +
                            " in progress; left alone");
  }
  if (unparseable > 0) {
    plan.warnings.push_back(std::to_string(unparseable) + " account(s) whose " +
                            rule.deleted_column + " is not a " +
                            TimeFormatName(rule.format) +
                            " time; never purged");
  }
  std::sort(out.pending.begin(), out.pending.end(),
            [](const PendingPurge& a, const PendingPurge& b) {
              return a.due != b.due ? a.due < b.due : a.account < b.account;
            });
  plan.scope = std::max<uint64_t>(static_cast<uint64_t>(input.db.total),
                                  plan.actions.size() + plan.kept->count);
  return out;
}

}  // namespace retention

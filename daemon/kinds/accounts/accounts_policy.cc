#include "kinds/accounts/accounts_policy.h"

#include <algorithm>
#include <set>

#include "config/config_value.h"
#include "config/kind_registry.h"
#include "core/lateness.h"
#include "core/recorded_removal.h"
#include "core/state_db.h"
#include "kinds/accounts/accounts_audit.h"

namespace retention {
namespace {

constexpr Duration kBusyTimeout = std::chrono::seconds(5);

StatusOr<std::unique_ptr<Policy>> MakeAccountsPolicy(const Section& s,
                                                     Services& services) {
  if (services.state == nullptr) {
    return Status::FailedPrecondition("needs the state database");
  }
  AccountsRule rule = AccountsRuleFromSection(s);
  AccountsOpener open = [rule](bool read_only) {
    return OpenAccountsDatabase(rule, read_only, kBusyTimeout);
  };
  auto db = open(true);
  if (!db.ok()) return db.status();
  RETENTION_RETURN_IF_ERROR((*db)->Check());
  return std::unique_ptr<Policy>(new AccountsPolicy(
      s.id(), std::move(rule), services.fs, *services.state, open));
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void RegisterAccountsKind(KindRegistry* registry) {
  KindSpec spec = AccountsKindSpec();
  spec.factory = MakeAccountsPolicy;
  spec.audit = AuditAccounts;
  spec.check = [](const Section& s, std::vector<ConfigError>* errors) {
    auto db =
        OpenAccountsDatabase(AccountsRuleFromSection(s), true, kBusyTimeout);
    Status st = db.ok() ? (*db)->Check() : db.status();
    if (!st.ok()) AddKeyError(s, "database", st.message(), errors);
  };
  registry->Register(std::move(spec));
}

AccountsPolicy::AccountsPolicy(std::string id, AccountsRule rule,
                               Filesystem& fs, StateDb& state,
                               AccountsOpener open)
    : id_(std::move(id)),
      rule_(std::move(rule)),
      fs_(fs),
      state_(state),
      open_(std::move(open)),
      quarantine_(fs, rule_) {}

StatusOr<std::vector<std::string>> AccountsPolicy::ListQuarantine() {
  std::vector<std::string> ids;
  if (rule_.data_dir.empty()) return ids;
  auto q = fs_.OpenRoot(rule_.quarantine);
  if (!q.ok()) {
    if (q.status().IsNotFound()) return ids;  // nothing quarantined yet
    return q.status();
  }
  auto names = fs_.List(**q);
  if (!names.ok()) return names.status();
  const std::string marker = kQuarantineMarker;
  for (const std::string& n : *names) {
    if (n.size() <= marker.size() ||
        n.compare(n.size() - marker.size(), marker.size(), marker) != 0) {
      continue;
    }
    ids.push_back(n.substr(0, n.size() - marker.size()));
  }
  return ids;
}

StatusOr<Plan> AccountsPolicy::MakePlan(WallTime now) {
  AccountsInput input;
  auto db = open_(true);
  if (!db.ok()) return db.status();
  auto snap = (*db)->Snapshot();
  if (!snap.ok()) return snap.status();
  input.db = std::move(*snap);
  auto quarantined = ListQuarantine();
  if (!quarantined.ok()) return quarantined.status();
  input.quarantined = std::move(*quarantined);
  auto progress = state_.AccountPurges(id_);
  if (!progress.ok()) return progress.status();
  input.progress = std::move(*progress);
  AccountsPlan planned = PlanAccounts(id_, rule_, input, now);
  progress_.clear();
  for (const AccountPurge& p : input.progress) progress_[p.account] = p;
  pending_ = std::move(planned.pending);
  due_ = planned.plan.actions;
  if (!rule_.data_dir.empty()) {
    std::vector<std::string> ids;
    for (const Action& a : due_) ids.push_back(AccountOfTarget(a.target));
    seen_ = quarantine_.Observe(ids);
  }
  return std::move(planned.plan);
}

Status AccountsPolicy::StorePending(const Plan& plan) {
  std::vector<PendingPurge> pending = pending_;
  std::set<std::string> going;
  for (const Action& a : plan.actions) going.insert(a.target);
  for (const Action& a : due_) {
    if (going.count(a.target)) continue;
    pending.push_back({AccountOfTarget(a.target), a.expected.mtime,
                       a.expected.mtime + rule_.deadline(), true});
  }
  return state_.ReplacePendingPurges(id_, pending);
}

ExecResult AccountsPolicy::Execute(const Plan& plan, ExecContext& ctx) {
  ExecResult result;
  Status stored = StorePending(plan);
  if (!stored.ok())
    result.errors.push_back("state database: " + stored.ToString());
  if (plan.actions.empty()) return result;
  auto db = open_(false);
  // A table or column dropped since the policy was built: nothing is
  // moved or deleted, rather than failing halfway through each account.
  Status checked = db.ok() ? (*db)->Check() : db.status();
  if (!checked.ok()) {
    result.errors.push_back(checked.ToString() + "; nothing purged");
    return result;
  }
  for (const Action& action : Ordered(plan.actions)) {
    if (ctx.stopping()) break;
    if (!PurgeOne(**db, action, plan.now, ctx, &result)) break;
  }
  return result;
}

std::vector<Action> AccountsPolicy::Ordered(
    const std::vector<Action>& actions) const {
  // The purges whose data directory planning found absent go first: their
  // proof needs the directory of data directories unchanged since
  // planning, which the moves of the others would change.
  std::vector<Action> out = actions;
  std::stable_partition(out.begin(), out.end(), [&](const Action& a) {
    auto e = seen_.dirs.find(AccountOfTarget(a.target));
    return e != seen_.dirs.end() && e->second.error.ok() && !e->second.info;
  });
  return out;
}

Status AccountsPolicy::QuarantineDataDir(AccountPurge* record) {
  const std::string& account = record->account;
  const std::optional<FileInfo> identity = ParseDirIdentity(record->rows);
  if (!identity && record->stage != "started") {
    // This purge moved nothing: a tree there is not its to take or move.
    auto held = quarantine_.Holds(account);
    if (!held.ok()) return held.status();
    if (*held) {
      return Status::Busy(rule_.quarantine + "/" + account + kQuarantineMarker +
                          " exists with no move of it recorded; left alone; "
                          "nothing purged");
    }
  }
  auto there = quarantine_.Verify(account, identity);
  if (!there.ok()) return Abandoned(record, there.status());
  if (*there) return Status::Ok();  // moved by a run cut short, verified
  auto dir = quarantine_.Check(account, seen_);
  if (!dir.ok()) return dir.status();
  record->stage = kMoving;
  record->rows = *dir ? DirIdentityText(**dir) : "";
  // The identity is durable before the move, so a run cut short after it
  // can verify what it finds in quarantine.
  RETENTION_RETURN_IF_ERROR(state_.SaveAccountPurge(*record));
  if (!*dir) return Status::Ok();  // absent at planning and now
  return Abandoned(record, quarantine_.MoveIn(account, **dir));
}

Status AccountsPolicy::Abandoned(AccountPurge* record, const Status& st) {
  if (st.code() == Status::Code::kAborted) {
    // Moved back: nothing of this purge remains; the next run plans it
    // afresh. If this is not saved, the next run finds nothing in
    // quarantine and looks again just the same.
    record->stage = "aborted";
    (void)state_.SaveAccountPurge(*record);
  }
  return st;
}

StatusOr<TreeRemoval> AccountsPolicy::RemoveQuarantined(
    const std::string& account) {
  if (rule_.data_dir.empty()) return TreeRemoval{};
  auto q = fs_.OpenRoot(rule_.quarantine);
  if (!q.ok()) {
    if (q.status().IsNotFound()) return TreeRemoval{};
    return q.status();
  }
  auto removed = RemoveQuarantinedTree(fs_, **q, account + kQuarantineMarker);
  if (removed.ok() && !removed->left.empty()) {
    return Status::Busy(
        "the quarantined tree of account " + account +
        " cannot be removed completely: " + removed->left.front());
  }
  return removed;
}

bool AccountsPolicy::PurgeOne(AccountsDatabase& db, const Action& action,
                              WallTime now, ExecContext& ctx,
                              ExecResult* result) {
  const std::string account = AccountOfTarget(action.target);
  auto fail = [&](const Status& st) {
    ++result->failed;
    result->errors.push_back(action.target + ": " + st.ToString());
    return true;  // one account's failure does not stop the others
  };
  const WallTime due_before = now - rule_.deadline();
  AccountPurge record{id_, account, action.expected.mtime, kMoving, "", now};
  if (auto it = progress_.find(account);
      it != progress_.end() && PurgeResumable(it->second.stage)) {
    record = it->second;
  }
  auto due = db.StillDue(account, due_before);
  if (!due.ok()) return fail(due.status());
  if (!*due) return Unpurge(&record, action, now, ctx, result);
  if (BeforeRows(record.stage)) {  // a and b, each at most once
    if (Status st = MoveAndPurgeRows(db, due_before, now, &record); !st.ok()) {
      return fail(st);
    }
  }
  if (record.stage == "recording") {
    // Cut short after its tree was removed: the ledger may hold it already.
    auto recorded = state_.AccountPurgeRecorded(id_, account, record.updated);
    if (!recorded.ok()) return fail(recorded.status());
    if (*recorded) return MarkDone(&record, now, result);
  }
  auto tree = RemoveQuarantined(account);
  if (!tree.ok()) return fail(tree.status());
  record.stage = "recording";
  record.updated = now;
  if (Status st = state_.SaveAccountPurge(record); !st.ok()) return fail(st);
  Action done = action;
  done.bytes = tree->bytes;
  done.count = 1;
  done.reason = record.rows + "; " + Plural(tree->files, "file", "files") +
                " and " + Plural(tree->dirs, "directory", "directories") +
                " removed; " + action.reason +
                LatenessSuffix(now - (action.expected.mtime + rule_.deadline()));
  ++result->done;
  result->bytes += tree->bytes;
  if (!RecordOrStop(id_, done, ctx, result)) return false;
  return MarkDone(&record, now, result);
}

Status AccountsPolicy::MoveAndPurgeRows(AccountsDatabase& db,
                                        WallTime due_before, WallTime now,
                                        AccountPurge* record) {
  if (rule_.data_dir.empty()) {
    record->stage = kMoving;
    RETENTION_RETURN_IF_ERROR(state_.SaveAccountPurge(*record));
  } else {
    RETENTION_RETURN_IF_ERROR(QuarantineDataDir(record));
  }
  auto rows = db.PurgeRows(record->account, due_before);
  if (!rows.ok()) return rows.status();
  record->stage = "rows";
  record->rows = rows->Describe(rule_.account_row);
  record->updated = now;
  return state_.SaveAccountPurge(*record);
}

bool AccountsPolicy::Unpurge(AccountPurge* record, const Action& action,
                             WallTime now, ExecContext& ctx,
                             ExecResult* result) {
  const std::string not_due = "no longer marked deleted before its deadline";
  auto fail = [&](const std::string& why) {
    ++result->failed;
    result->errors.push_back(action.target + ": " + why);
    return true;
  };
  auto begun = progress_.find(record->account);
  if (rule_.data_dir.empty() || begun == progress_.end() ||
      !BeforeRows(record->stage)) {
    return fail(not_due + "; nothing purged");
  }
  // Begun, its rows still there: whatever this purge moved goes back.
  const std::optional<FileInfo> identity = ParseDirIdentity(record->rows);
  const bool was_restoring = record->stage == kRestoring;
  const WallTime since = record->updated;
  record->stage = kRestoring;
  record->updated = now;
  if (Status st = state_.SaveAccountPurge(*record); !st.ok()) {
    return fail(st.ToString());
  }
  auto back = quarantine_.MoveBack(record->account, identity);
  if (!back.ok()) {
    record->stage = kStranded;
    // Unsaved, it stays "restoring", which the next run retries the same.
    (void)state_.SaveAccountPurge(*record);
    return fail(not_due +
                ", but its data directory cannot be moved back "
                "from quarantine (" +
                back.status().ToString() + "); left in quarantine");
  }
  bool moved = *back;
  if (!moved && was_restoring && identity) {
    // A run cut short after moving it back, before recording that?
    auto home = quarantine_.AtHome(record->account, *identity);
    auto recorded = state_.AccountEventRecorded(
        id_, record->account, VerbName(Verb::kRestore), since);
    if (!home.ok()) return fail(home.status().ToString());
    if (!recorded.ok()) return fail(recorded.status().ToString());
    moved = *home && !*recorded;
  }
  if (!moved) {
    record->stage = "aborted";
    (void)state_.SaveAccountPurge(*record);  // as in Abandoned
    return fail(not_due + "; nothing purged");
  }
  Action restore;
  restore.verb = Verb::kRestore;
  restore.target = action.target;
  restore.reason = not_due + "; its data directory moved back from " +
                   rule_.quarantine + " to " +
                   rule_.data_dir.PathOf(record->account) + "; nothing purged";
  if (!RecordOrStop(id_, restore, ctx, result)) return false;
  record->stage = "restored";
  record->updated = now;
  if (Status st = state_.SaveAccountPurge(*record); !st.ok()) {
    // The next run finds the ledger entry and does not record it again.
    ++result->failed;
    result->errors.push_back(action.target +
                             ": state database: " + st.ToString());
  }
  return true;
}

bool AccountsPolicy::MarkDone(AccountPurge* record, WallTime now,
                              ExecResult* result) {
  record->stage = "done";
  record->updated = now;
  Status st = state_.SaveAccountPurge(*record);
  if (!st.ok()) {
    ++result->failed;
    result->errors.push_back(AccountTarget(record->account) +
                             ": state database: " + st.ToString());
  }
  progress_.erase(record->account);
  return true;
}

}  // namespace retention

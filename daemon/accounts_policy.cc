#include "accounts_policy.h"

#include <set>

#include "config_value.h"
#include "kind_registry.h"
#include "recorded_removal.h"
#include "state_db.h"

namespace retention {
namespace {

constexpr Duration kBusyTimeout = std::chrono::seconds(5);
constexpr uint32_t kQuarantineMode = 0700;

StatusOr<std::unique_ptr<Policy>> MakeAccountsPolicy(const Section& s,
                                                     Services& services) {
  if (services.state == nullptr) {
    return Status::FailedPrecondition("needs the state database");
  }
  AccountsRule rule = AccountsRuleFromSection(s);
  AccountsOpener open = [rule](bool read_only) {
    return OpenSqliteAccounts(rule, read_only, kBusyTimeout);
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

// Opens the quarantine directory, creating it (0700) if it is missing.
StatusOr<std::unique_ptr<Dir>> OpenQuarantine(Filesystem& fs,
                                              const std::string& path) {
  auto q = fs.OpenRoot(path);
  if (q.ok() || !q.status().IsNotFound()) return q;
  const size_t slash = path.rfind('/');
  auto parent = fs.OpenRoot(slash == 0 ? "/" : path.substr(0, slash));
  if (!parent.ok()) return parent.status();
  Status made = fs.MakeDirAt(**parent, path.substr(slash + 1), kQuarantineMode);
  if (!made.ok() && !made.IsBusy()) return made;  // busy: made meanwhile
  return fs.OpenRoot(path);
}

}  // namespace

void RegisterAccountsKind(KindRegistry* registry) {
  KindSpec spec = AccountsKindSpec();
  spec.factory = MakeAccountsPolicy;
  spec.check = [](const Section& s) {
    auto db = OpenSqliteAccounts(AccountsRuleFromSection(s), true,
                                 kBusyTimeout);
    if (!db.ok()) return db.status();
    return (*db)->Check();
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
      open_(std::move(open)) {}

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
  for (const Action& action : plan.actions) {
    if (ctx.stopping()) break;
    if (!PurgeOne(**db, action, plan.now, ctx, &result)) break;
  }
  return result;
}

Status AccountsPolicy::QuarantineDataDir(const std::string& account) {
  if (rule_.data_dir.empty()) return Status::Ok();
  const std::string path = rule_.data_dir.PathOf(account);
  auto parent = fs_.OpenRoot(rule_.data_dir.parent);
  if (!parent.ok()) {
    // No directory of account directories: no account has files.
    return parent.status().IsNotFound() ? Status::Ok() : parent.status();
  }
  const std::string name = rule_.data_dir.NameOf(account);
  auto info = fs_.StatAt(**parent, name);
  if (!info.ok()) {
    return info.status().IsNotFound() ? Status::Ok() : info.status();
  }
  if (info->type != FileType::kDirectory || info->mount_root) {
    return Status::Unsafe(path + " is " +
                          (info->type == FileType::kSymlink ? "a symlink"
                           : info->mount_root               ? "a mount point"
                                              : "not a directory") +
                          "; refused: nothing of account " + account +
                          " purged");
  }
  auto q = OpenQuarantine(fs_, rule_.quarantine);
  if (!q.ok()) return q.status();
  if ((*q)->info().dev != (*parent)->info().dev) {
    return Status::FailedPrecondition(
        "quarantine " + rule_.quarantine + " is on another filesystem than " +
        rule_.data_dir.parent +
        "; set quarantine to a directory on the same filesystem");
  }
  const std::string qname = account + kQuarantineMarker;
  // A tree already there while the data directory exists again (the
  // application recreated it): finish the old one first.
  auto old = RemoveQuarantinedTree(fs_, **q, qname);
  if (!old.ok()) return old.status();
  if (!old->left.empty()) {
    return Status::Busy(rule_.quarantine + "/" + qname + ": " +
                        old->left.front());
  }
  RETENTION_RETURN_IF_ERROR(fs_.RenameAt(**parent, name, **q, qname));
  RETENTION_RETURN_IF_ERROR(fs_.SyncDir(**q));
  return fs_.SyncDir(**parent);
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
  auto due = db.StillDue(account, due_before);
  if (!due.ok()) return fail(due.status());
  if (!*due) {
    return fail(Status::FailedPrecondition(
        "no longer marked deleted before its deadline; nothing purged"));
  }
  AccountPurge record{id_, account, action.expected.mtime, "started", "", now};
  if (auto it = progress_.find(account);
      it != progress_.end() && it->second.stage != "done") {
    record = it->second;
  }
  if (record.stage == "started") {  // a and b, each at most once
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
                " removed; " + action.reason;
  ++result->done;
  result->bytes += tree->bytes;
  if (!RecordOrStop(id_, done, ctx, result)) return false;
  return MarkDone(&record, now, result);
}

Status AccountsPolicy::MoveAndPurgeRows(AccountsDatabase& db,
                                        WallTime due_before, WallTime now,
                                        AccountPurge* record) {
  RETENTION_RETURN_IF_ERROR(state_.SaveAccountPurge(*record));
  RETENTION_RETURN_IF_ERROR(QuarantineDataDir(record->account));
  auto rows = db.PurgeRows(record->account, due_before);
  if (!rows.ok()) return rows.status();
  record->stage = "rows";
  record->rows = rows->Describe(rule_.account_row);
  record->updated = now;
  return state_.SaveAccountPurge(*record);
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

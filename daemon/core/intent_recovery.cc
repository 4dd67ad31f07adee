#include "core/intent_recovery.h"

#include <spdlog/spdlog.h>

#include "os/fs_rules.h"

namespace retention {
namespace {

IntentUpdate FateUpdate(const Intent& intent, const IntentFate& fate,
                        WallTime now) {
  IntentUpdate u{intent.id, true, std::nullopt};
  if (fate.kind != IntentFate::Kind::kPerformed) return u;
  LedgerEntry e;
  e.time = now;
  e.policy = intent.policy;
  e.action = VerbName(intent.verb);
  e.target = fate.target.empty() ? intent.target : fate.target;
  e.count = static_cast<int64_t>(fate.count);
  e.bytes = static_cast<int64_t>(fate.bytes);
  e.detail = intent.reason + "; recorded at recovery of an interrupted run (" +
             fate.how + ")";
  u.entry = std::move(e);
  return u;
}

// One line per policy, however many removals a cut-short run left: the
// ledger holds each.
void LogRecovered(const std::string& policy,
                  const std::vector<IntentUpdate>& updates) {
  size_t entries = 0;
  int64_t items = 0;
  const LedgerEntry* first = nullptr;
  for (const IntentUpdate& u : updates) {
    if (!u.entry) continue;
    ++entries;
    items += u.entry->count;
    if (first == nullptr) first = &*u.entry;
  }
  if (first == nullptr) {
    if (!updates.empty()) {
      spdlog::info("{}: {} interrupted actions had not happened; closed",
                   policy, updates.size());
    }
    return;
  }
  spdlog::warn(
      "{}: recorded {} actions of an interrupted run ({} items, e.g. {} {}) "
      "that happened before it stopped",
      policy, entries, items, first->action, first->target);
}

// What the world says of `intent`, as `*update`; false when it cannot be
// told now (`*unknown` then says why, the first time).
bool Resolve(Policy& policy, const Intent& intent, WallTime now,
             IntentUpdate* update, std::string* unknown) {
  IntentFate fate = policy.Resolve(intent);
  if (fate.kind == IntentFate::Kind::kInFlight) return false;
  if (fate.kind == IntentFate::Kind::kUnknown) {
    if (unknown->empty()) {
      *unknown = std::string("an interrupted ") + VerbName(intent.verb) +
                 " of " + intent.target +
                 " cannot be resolved yet: " + fate.how;
    }
    return false;
  }
  *update = FateUpdate(intent, fate, now);
  return true;
}

// A group intent's removals not yet settled, in order, up to the first
// that cannot be told: that one and the rest stay open with the group.
void ResolveGroup(Policy& policy, const Intent& group, WallTime now,
                  std::vector<IntentUpdate>* updates, std::string* unknown) {
  if (group.recorded >= group.items.size()) {  // all settled: just close
    updates->push_back(IntentUpdate{group.id, true, std::nullopt});
    return;
  }
  for (size_t k = group.recorded; k < group.items.size(); ++k) {
    IntentUpdate u;
    if (!Resolve(policy, group.items[k], now, &u, unknown)) return;
    u.close = k + 1 == group.items.size();
    u.item = true;
    updates->push_back(std::move(u));
  }
}

}  // namespace

StatusOr<size_t> RecoverIntents(Policy& policy, StateDb& state, Clock& clock) {
  auto open = OpenIntents(state, policy.id());
  if (!open.ok()) return open.status();
  std::vector<IntentUpdate> updates;
  std::string unknown;
  const WallTime now = clock.Now();
  for (const Intent& intent : *open) {
    if (!intent.items.empty()) {
      ResolveGroup(policy, intent, now, &updates, &unknown);
      continue;
    }
    IntentUpdate u;
    if (Resolve(policy, intent, now, &u, &unknown)) {
      updates.push_back(std::move(u));
    }
  }
  std::vector<Intent> none;
  RETENTION_RETURN_IF_ERROR(CommitIntents(state, &updates, &none));
  LogRecovered(policy.id(), updates);
  if (!unknown.empty()) return Status::FailedPrecondition(unknown);
  return updates.size();
}

StatusOr<std::optional<FileInfo>> StatPath(Filesystem& fs,
                                           const std::string& path) {
  const PathParts parts = SplitPath(path);
  if (parts.dir.empty()) {
    return Status::InvalidArgument(path + ": not an absolute path");
  }
  auto dir = fs.OpenRoot(parts.dir);
  if (!dir.ok() && dir.status().IsNotFound()) {
    return std::optional<FileInfo>();
  }
  if (!dir.ok()) return dir.status();
  auto info = fs.StatAt(**dir, parts.name);
  if (!info.ok() && info.status().IsNotFound()) {
    return std::optional<FileInfo>();
  }
  if (!info.ok()) return info.status();
  return std::optional<FileInfo>(*info);
}

IntentFate ResolveFileIntent(Filesystem& fs, const Intent& intent) {
  auto info = StatPath(fs, intent.target);
  if (!info.ok()) return IntentFate::Unknown(info.status().ToString());
  if (!*info) {
    return IntentFate::Performed(intent.count, intent.bytes, "found gone");
  }
  if ((*info)->dev == intent.dev && (*info)->ino == intent.ino) {
    return IntentFate::NotPerformed("still there");
  }
  return IntentFate::Performed(intent.count, intent.bytes,
                               "another file holds its name now");
}

}  // namespace retention

#include "core/ledger_context.h"

#include <spdlog/spdlog.h>

#include <system_error>

namespace retention {
namespace {

// Per-item lines are debug: the run's summary line (run_summary.h) says
// at info what the run did, one line per run, in the kind's units.
void LogRecorded(const LedgerEntry& e) {
  spdlog::debug("{}: {} {} ({})", e.policy, e.action, e.target, e.detail);
}

}  // namespace

LedgerContext::~LedgerContext() {
  Status st = Flush();
  if (!st.ok()) {
    spdlog::error("ledger: {}; open intents are resolved at the next run",
                  st.ToString());
  }
}

LedgerEntry LedgerContext::EntryFor(const std::string& policy,
                                    const Action& action) const {
  LedgerEntry e;
  e.time = clock_.Now();
  e.policy = policy;
  e.action = VerbName(action.verb);
  e.target = action.target;
  e.count = static_cast<int64_t>(action.count);
  e.bytes = static_cast<int64_t>(action.bytes);
  e.detail = action.reason;
  return e;
}

Status LedgerContext::Record(const std::string& policy, const Action& action) {
  queue_.push_back(IntentUpdate{0, true, EntryFor(policy, action)});
  return Flush();
}

Status LedgerContext::Intend(const std::string& policy,
                             const std::vector<const Action*>& actions,
                             std::vector<int64_t>* ids) {
  if (actions.size() > 1) return IntendGroup(policy, actions, ids);
  std::vector<Intent> opens;
  opens.reserve(actions.size());
  const WallTime now = clock_.Now();
  for (const Action* a : actions) {
    opens.push_back(Intent{.policy = policy,
                           .verb = a->verb,
                           .target = a->target,
                           .dev = a->expected.dev,
                           .ino = a->expected.ino,
                           .bytes = a->bytes,
                           .count = a->count,
                           .reason = a->reason,
                           .created = now});
  }
  RETENTION_RETURN_IF_ERROR(Commit(&opens));
  ids->clear();
  for (const Intent& i : opens) ids->push_back(i.id);
  return Status::Ok();
}

Status LedgerContext::IntendGroup(const std::string& policy,
                                  const std::vector<const Action*>& actions,
                                  std::vector<int64_t>* ids) {
  Intent group;
  group.policy = policy;
  group.verb = actions.front()->verb;
  group.target = actions.front()->target;  // for people reading the table
  group.count = actions.size();
  group.created = clock_.Now();
  group.items.reserve(actions.size());
  for (const Action* a : actions) {
    Intent& item = group.items.emplace_back();
    item.verb = a->verb;
    item.target = a->target;
    item.dev = a->expected.dev;
    item.ino = a->expected.ino;
    item.bytes = a->bytes;
    item.count = a->count;
    item.reason = a->reason;
    group.bytes += a->bytes;
  }
  std::vector<Intent> opens;
  opens.push_back(std::move(group));
  RETENTION_RETURN_IF_ERROR(AwaitOutcomes());
  // The intent alone, so that the removals it covers can start while the
  // outcomes queued before it (the last group's) are committed.
  std::vector<IntentUpdate> none;
  Status intended = CommitNow(&none, &opens);
  std::vector<IntentUpdate> outcomes = std::move(queue_);
  queue_.clear();
  RETENTION_RETURN_IF_ERROR(CommitInBackground(std::move(outcomes)));
  RETENTION_RETURN_IF_ERROR(intended);
  groups_.push_back(Group{opens.front().id, actions.size(), 0});
  ids->clear();
  for (size_t k = 0; k < actions.size(); ++k) {
    items_.push_back(GroupItem{groups_.size() - 1, k});
    ids->push_back(-static_cast<int64_t>(items_.size()));
  }
  return Status::Ok();
}

Status LedgerContext::Settle(int64_t id, std::optional<LedgerEntry> entry) {
  const size_t at = static_cast<size_t>(-(id + 1));
  if (at >= items_.size()) {
    return Status::InvalidArgument("no intent " + std::to_string(id));
  }
  if (groups_broken_ || outcomes_failed_.load()) {
    return Status::FailedPrecondition(
        "outcomes of a group intent were lost; the rest is left to recovery");
  }
  Group& group = groups_[items_[at].group];
  if (items_[at].index != group.settled) {
    return Status::FailedPrecondition(
        "the actions of a group intent settle in order");
  }
  ++group.settled;
  return Queue(IntentUpdate{group.row, group.settled == group.size,
                            std::move(entry), /*item=*/true});
}

Status LedgerContext::Done(int64_t intent, const std::string& policy,
                           const Action& action) {
  if (intent < 0) return Settle(intent, EntryFor(policy, action));
  return Queue(IntentUpdate{intent, true, EntryFor(policy, action)});
}

Status LedgerContext::Progress(int64_t intent, const std::string& policy,
                               const Action& action) {
  if (intent < 0) {
    return Status::InvalidArgument("an action of a group cannot progress");
  }
  return Queue(IntentUpdate{intent, false, EntryFor(policy, action)});
}

Status LedgerContext::Drop(int64_t intent) {
  if (intent == 0) return Status::Ok();
  if (intent < 0) return Settle(intent, std::nullopt);
  return Queue(IntentUpdate{intent, true, std::nullopt});
}

Status LedgerContext::Flush() {
  std::vector<Intent> none;
  return Commit(&none);
}

Status LedgerContext::Queue(IntentUpdate update) {
  if (queue_.empty()) first_queued_ = clock_.BootNow();
  queue_.push_back(std::move(update));
  if (queue_.size() < kGroupMax &&
      clock_.BootNow() - first_queued_ < kGroupDelay) {
    return Status::Ok();
  }
  return Flush();
}

Status LedgerContext::Commit(std::vector<Intent>* opens) {
  // Whatever happens, the queue is spent: committed, or covered by intents
  // that stay open and are resolved at the next run.
  Status earlier = AwaitOutcomes();
  std::vector<IntentUpdate> updates = std::move(queue_);
  queue_.clear();
  Status st = CommitNow(&updates, opens);
  return earlier.ok() ? st : earlier;
}

Status LedgerContext::CommitNow(std::vector<IntentUpdate>* updates,
                                std::vector<Intent>* opens) {
  Status st = CommitIntents(state_, updates, opens);
  AfterCommit(st, *updates);
  return st;
}

// A group's row counts its settled actions from the first: one lost
// outcome would shift every later one onto the wrong action, so a failed
// commit that carried some breaks the groups.
void LedgerContext::AfterCommit(const Status& st,
                                const std::vector<IntentUpdate>& updates) {
  for (const IntentUpdate& u : updates) {
    if (!st.ok()) {
      groups_broken_ |= u.item;
    } else if (u.entry) {
      LogRecorded(*u.entry);
    }
  }
}

Status LedgerContext::CommitInBackground(std::vector<IntentUpdate> updates) {
  if (updates.empty()) return Status::Ok();
  outcome_updates_ = std::move(updates);
  try {
    outcomes_ = std::thread([this] {
      std::vector<Intent> none;
      outcome_status_ = CommitIntents(state_, &outcome_updates_, &none);
      if (!outcome_status_.ok()) outcomes_failed_ = true;
    });
    return Status::Ok();
  } catch (const std::system_error&) {
    // No thread to be had (a task limit): the caller waits for it instead.
    std::vector<IntentUpdate> now = std::move(outcome_updates_);
    outcome_updates_.clear();
    std::vector<Intent> none;
    return CommitNow(&now, &none);
  }
}

Status LedgerContext::AwaitOutcomes() {
  if (!outcomes_.joinable()) return Status::Ok();
  outcomes_.join();
  AfterCommit(outcome_status_, outcome_updates_);
  outcome_updates_.clear();
  return outcome_status_;
}

}  // namespace retention

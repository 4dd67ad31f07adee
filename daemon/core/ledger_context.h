// LedgerContext: the ExecContext runs use. Performed actions become ledger
// entries; removals are write-ahead intents closed by their entries
// (intent_log.h), committed in groups: up to kGroupMax outcomes or
// kGroupDelay after the first queued one, whichever comes first, and at
// every Intend() and Flush(). One fsync covers a group. kGroupMax is above
// any executor's intent group (files: 4,096) and kGroupDelay above the time
// such a group usually takes, so a group's outcomes are committed at the
// next group's Intend(). The actions of one Intend() of several are one
// group intent (one row listing them all); their ids are this context's
// own, negative, and their outcomes must come in the order of the actions.
// `stopping` reads the stop flag the caller owns.
//
// A group intent is committed on its own; the outcomes queued before it
// are then committed on a thread of their own while the caller removes the
// new group's entries (its intent is durable, so recovery covers them
// whatever becomes of that commit). Every other commit, Flush() included,
// first waits for that one, so a Flush() that succeeded leaves nothing
// uncommitted; a failed outcomes commit breaks the run's groups (Settle
// refuses the next outcome, the run stops, recovery resolves the rest).
//
// Threading: one run's context, used by one thread (plus the outcomes
// commit above, joined before the next commit and in the destructor); the
// state database serializes commits of different runs.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "core/intent_log.h"
#include "core/ledger.h"
#include "core/policy.h"

namespace retention {

class LedgerContext final : public ExecContext {
 public:
  static constexpr size_t kGroupMax = 16384;
  static constexpr Duration kGroupDelay = std::chrono::milliseconds(250);

  LedgerContext(Clock& clock, Ledger& ledger, const std::atomic<bool>& stop)
      : clock_(clock), state_(ledger.state()), stop_(stop) {}
  // Commits what is still queued (a failure is logged; the open intents
  // cover it).
  ~LedgerContext() override;

  Status Record(const std::string& policy, const Action& action) override;
  Status Intend(const std::string& policy,
                const std::vector<const Action*>& actions,
                std::vector<int64_t>* ids) override;
  Status Done(int64_t intent, const std::string& policy,
              const Action& action) override;
  Status Progress(int64_t intent, const std::string& policy,
                  const Action& action) override;
  Status Drop(int64_t intent) override;
  Status Flush() override;
  bool stopping() const override { return stop_.load(); }

 private:
  // A group intent of this run, and how many of its actions are settled.
  struct Group {
    int64_t row = 0;
    size_t size = 0;
    size_t settled = 0;
  };
  // Where an action of a group is: the id -(index + 1) into items_.
  struct GroupItem {
    size_t group = 0;
    size_t index = 0;
  };

  // The group intent (one row) for several actions, with `ids` for each.
  Status IntendGroup(const std::string& policy,
                     const std::vector<const Action*>& actions,
                     std::vector<int64_t>* ids);
  // Queues the outcome of the group action `id` (entry: performed). Fails
  // kFailedPrecondition out of order, or once a commit carrying outcomes
  // of group actions has failed.
  Status Settle(int64_t id, std::optional<LedgerEntry> entry);
  Status Queue(IntentUpdate update);
  // Waits for the outcomes commit in flight, then commits the queue and
  // `opens` in one transaction.
  Status Commit(std::vector<Intent>* opens);
  // CommitIntents, then AfterCommit.
  Status CommitNow(std::vector<IntentUpdate>* updates,
                   std::vector<Intent>* opens);
  // What a commit of `updates` means for this run: logged entries, or
  // (st failed) broken groups.
  void AfterCommit(const Status& st, const std::vector<IntentUpdate>& updates);
  // Commits `updates` on outcomes_ (synchronously if no thread starts).
  Status CommitInBackground(std::vector<IntentUpdate> updates);
  // Joins outcomes_, if running; its commit's status.
  Status AwaitOutcomes();
  LedgerEntry EntryFor(const std::string& policy, const Action& action) const;

  Clock& clock_;
  StateDb& state_;
  const std::atomic<bool>& stop_;
  std::vector<IntentUpdate> queue_;
  std::vector<Group> groups_;
  std::vector<GroupItem> items_;
  bool groups_broken_ = false;  // a commit with group outcomes failed
  // The outcomes commit in flight: its thread, what it commits, its status
  // (read once joined), and whether it failed (read by Settle meanwhile).
  std::thread outcomes_;
  std::vector<IntentUpdate> outcome_updates_;
  Status outcome_status_;
  std::atomic<bool> outcomes_failed_{false};
  Duration first_queued_{};  // boot time of queue_.front()
};

}  // namespace retention

// LedgerContext: the ExecContext runs use. Performed actions become ledger
// entries; removals are write-ahead intents closed by their entries
// (intent_log.h), committed in groups: up to kGroupMax outcomes or
// kGroupDelay after the first queued one, whichever comes first, and at
// every Intend() and Flush(). One fsync covers a group. kGroupMax is above
// any executor's intent group (files: 4,096) and kGroupDelay above the time
// such a group usually takes, so a group's outcomes go in the transaction
// of the next group's intents: one commit per group. The actions of one
// Intend() of several are one group intent (one row listing them all);
// their ids are this context's own, negative, and their outcomes must come
// in the order of the actions. `stopping` reads the stop flag the caller
// owns.
//
// Threading: one run's context, used by one thread; the state database
// serializes commits of different runs.
#pragma once

#include <atomic>
#include <string>
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
  Status Commit(std::vector<Intent>* opens);
  LedgerEntry EntryFor(const std::string& policy, const Action& action) const;

  Clock& clock_;
  StateDb& state_;
  const std::atomic<bool>& stop_;
  std::vector<IntentUpdate> queue_;
  std::vector<Group> groups_;
  std::vector<GroupItem> items_;
  bool groups_broken_ = false;  // a commit with group outcomes failed
  Duration first_queued_{};  // boot time of queue_.front()
};

}  // namespace retention

// KeepFreePolicy: [daemon] keep_free made runnable, as the policy
// "daemon.keep_free". It watches the free space of every filesystem that
// holds a log set and, when one falls below keep_free, deletes the oldest
// rotated files across the sets stored there (PlanKeepFree), each deletion
// a ledger entry that names the shortage. It runs every minute and after
// every log policy's run, on the logs lane, so it never runs at the same
// time as a log set's rotation or compression hand-over.
//
// Threading: one run at a time (the Runner's contract), on the logs lane.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_value.h"
#include "core/intent_recovery.h"
#include "core/policy.h"
#include "kinds/logs/keep_free_planner.h"
#include "kinds/logs/logs_policy.h"

namespace retention {

class KeepFreePolicy final : public Policy {
 public:
  static constexpr Duration kEvery = std::chrono::minutes(1);

  // Precondition: !limit.empty().
  KeepFreePolicy(SpaceLimit limit,
                 std::vector<std::shared_ptr<LogsPolicy>> sets,
                 Services& services);

  const std::string& id() const override { return id_; }
  Duration every() const override { return kEvery; }
  bool destructive() const override { return true; }
  // It deletes log sets' archives: never while a set rotates.
  Lane lane() const override { return Lane::kRotation; }
  StatusOr<Plan> MakePlan(WallTime now) override;
  ExecResult Execute(const Plan& plan, ExecContext& ctx) override;
  // A removal cut short: is the planned inode still under its name?
  IntentFate Resolve(const Intent& intent) override {
    return ResolveFileIntent(services_.fs, intent);
  }

 private:
  void AddFilesystems(const LogsRule& rule,
                      std::vector<KeepFreeFilesystem>* filesystems,
                      std::vector<std::string>* warnings);

  const std::string id_ = kKeepFreePolicyId;
  SpaceLimit limit_;
  std::vector<std::shared_ptr<LogsPolicy>> sets_;
  Services& services_;
};

// Appends a KeepFreePolicy over every LogsPolicy in *policies when the
// [daemon] section sets keep_free and there is at least one log set.
void AddKeepFreePolicy(const Section& daemon, Services& services,
                       std::vector<std::shared_ptr<Policy>>* policies);

}  // namespace retention

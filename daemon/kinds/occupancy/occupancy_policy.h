// OccupancyPolicy: the [occupancy] kind — measures every user's directory
// under a root, compares it with the user's quota, and never deletes
// anything. MakePlan scans (through the OccupancyScanner seam) and plans
// the quota transitions since the previous stored scan; Execute stores the
// scan in the state database, publishes it to the application's database
// when configured, and for each transition records a ledger entry and runs
// the on_over_quota / on_under_quota hook once. A dry run scans and lists
// the transitions without storing or running anything.
//
// Threading: one run at a time (the Runner's contract).
#pragma once

#include <optional>

#include "config/config.h"
#include "core/policy.h"
#include "kinds/occupancy/occupancy_rule.h"

namespace retention {

class KindRegistry;
class OccupancyScanner;

// Registers the kind's keys, validation and factory (occupancy_kind_spec.cc).
// Policies measure with `scanner` (a test's); null: the real, POSIX one.
void RegisterOccupancyKind(KindRegistry* registry,
                           OccupancyScanner* scanner = nullptr);

class OccupancyPolicy final : public Policy {
 public:
  OccupancyPolicy(std::string id, Duration every, OccupancyRule rule,
                  Services& services, OccupancyScanner& scanner);

  const std::string& id() const override { return id_; }
  Duration every() const override { return every_; }
  bool destructive() const override { return false; }
  StatusOr<Plan> MakePlan(WallTime now) override;
  ExecResult Execute(const Plan& plan, ExecContext& ctx) override;

 private:
  // Runs the hook for one transition; errors land in *result.
  void RunHook(const Action& action, ExecResult* result);

  std::string id_;
  Duration every_;
  OccupancyRule rule_;
  Services& services_;
  OccupancyScanner& scanner_;
  // The scan MakePlan measured, for Execute to store (same plan.now).
  std::optional<OccupancyScanRecord> measured_;
};

}  // namespace retention

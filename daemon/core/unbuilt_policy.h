// UnbuiltPolicy: stands in for a policy whose factory failed at start (its
// application database missing, a table without its index), so the daemon
// runs every other policy and this one shows its error in status. Each run
// tries the factory again; once it succeeds the real policy takes over.
// Threading: as any Policy (runs are serialized per policy).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "config/config.h"
#include "config/kind_registry.h"
#include "core/policy.h"

namespace retention {

class UnbuiltPolicy final : public Policy {
 public:
  // `services` must outlive the policy.
  UnbuiltPolicy(Section section, PolicyFactory factory, Services& services);

  const std::string& id() const override { return id_; }
  Duration every() const override { return every_; }
  bool destructive() const override { return true; }
  // Builds the policy if it can and plans with it; else fails with why.
  StatusOr<Plan> MakePlan(WallTime now) override;
  ExecResult Execute(const Plan& plan, ExecContext& ctx) override;
  std::vector<SizeWatch> watches() const override;
  DeleteBrakeLimit delete_brake() const override;

 private:
  Policy* Built() const;

  std::string id_;
  Duration every_;
  Section section_;
  PolicyFactory factory_;
  Services& services_;
  mutable std::mutex mu_;
  std::unique_ptr<Policy> built_;
};

}  // namespace retention

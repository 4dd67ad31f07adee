#include "core/unbuilt_policy.h"

namespace retention {

UnbuiltPolicy::UnbuiltPolicy(Section section, PolicyFactory factory,
                             Services& services)
    : id_(section.id()),
      every_(section.Has("every") ? section.GetDuration("every")
                                  : std::chrono::minutes(1)),
      section_(std::move(section)),
      factory_(std::move(factory)),
      services_(services) {}

Policy* UnbuiltPolicy::Built() const {
  std::lock_guard<std::mutex> lock(mu_);
  return built_.get();
}

StatusOr<Plan> UnbuiltPolicy::MakePlan(WallTime now) {
  if (Policy* built = Built()) return built->MakePlan(now);
  auto policy = factory_(section_, services_);
  if (!policy.ok()) {
    return Status::FailedPrecondition("not started: " +
                                      policy.status().message());
  }
  Policy* built = policy->get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    built_ = std::move(*policy);
  }
  return built->MakePlan(now);
}

ExecResult UnbuiltPolicy::Execute(const Plan& plan, ExecContext& ctx) {
  if (Policy* built = Built()) return built->Execute(plan, ctx);
  return {};  // no plan was made without a built policy
}

std::vector<SizeWatch> UnbuiltPolicy::watches() const {
  Policy* built = Built();
  return built ? built->watches() : std::vector<SizeWatch>{};
}

DeleteBrakeLimit UnbuiltPolicy::delete_brake() const {
  Policy* built = Built();
  return built ? built->delete_brake() : DeleteBrakeLimit{};
}

}  // namespace retention

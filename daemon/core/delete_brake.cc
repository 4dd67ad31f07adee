#include "core/delete_brake.h"

#include <cmath>
#include <cstdio>

namespace retention {

void AddDeleteBrakeKeys(KindSpec* spec) {
  spec->keys.push_back(
      {.name = "max_delete_fraction",
       .type = ValueType::kFraction,
       .default_value = "0.25",
       .help = "a run deleting more of its scope brakes until released"});
  spec->keys.push_back({.name = "brake_min_items",
                        .type = ValueType::kInt,
                        .default_value = "10",
                        .help = "scopes smaller than this never brake"});
}

void CheckDeleteBrakeKeys(const Section& s, std::vector<ConfigError>* errors) {
  if (s.GetInt("brake_min_items") < 0) {
    AddKeyError(s, "brake_min_items", "must be 0 or more", errors);
  }
}

DeleteBrakeLimit DeleteBrakeLimitOf(const Section& section) {
  const int64_t min_items = section.GetInt("brake_min_items");
  return {section.GetFraction("max_delete_fraction"),
          static_cast<uint64_t>(min_items < 0 ? 0 : min_items)};
}

uint64_t PlannedRemovals(const Plan& plan) {
  uint64_t n = 0;
  for (const Action& a : plan.actions) {
    if (IsRemoval(a.verb)) n += a.count;
  }
  return n;
}

std::optional<std::string> CheckDeleteBrake(const Plan& plan,
                                            const DeleteBrakeLimit& limit) {
  if (limit.max_fraction >= 1.0 || plan.scope < limit.min_items ||
      plan.scope == 0) {
    return std::nullopt;
  }
  const uint64_t removals = PlannedRemovals(plan);
  const double fraction =
      static_cast<double>(removals) / static_cast<double>(plan.scope);
  if (fraction <= limit.max_fraction) return std::nullopt;
  char text[160];
  std::snprintf(text, sizeof text,
                "would delete %llu of %llu items (%.0f%%), more than "
                "max_delete_fraction %g",
                static_cast<unsigned long long>(removals),
                static_cast<unsigned long long>(plan.scope),
                std::floor(fraction * 100), limit.max_fraction);
  return std::string(text);
}

}  // namespace retention

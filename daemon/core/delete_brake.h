// The mass-deletion brake (DESIGN.md invariant 6): a real run whose plan
// would remove more than its policy's max_delete_fraction of the items in
// scope removes nothing, engages a brake on that policy (state database,
// status, report, metric, ledger) and waits for `retentionctl release
// NAME`. A release lets the next real run go through once, however much it
// removes; a brake still engaged keeps every run of that policy braked.
// Plans with fewer than min_items in scope are never braked: deleting 3 of
// 4 expired backups is routine, deleting 30,000 of 40,000 is not.
// Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"
#include "config/kind_registry.h"
#include "core/policy.h"

namespace retention {

// DeleteBrakeLimit (max_fraction, min_items) is declared in policy.h.

// The removals ("delete", "purge", by Action::count) `plan` would perform.
uint64_t PlannedRemovals(const Plan& plan);

// The keys every deleting kind accepts: max_delete_fraction (default
// 0.25) and brake_min_items (default 10). Appended to spec->keys.
void AddDeleteBrakeKeys(KindSpec* spec);
// For validators of kinds that call AddDeleteBrakeKeys: brake_min_items
// must be 0 or more.
void CheckDeleteBrakeKeys(const Section& s, std::vector<ConfigError>* errors);
// The limit a validated section sets.
DeleteBrakeLimit DeleteBrakeLimitOf(const Section& section);

// Why the plan must not run under `limit`: "would delete 812 of 1000 items
// (81%), more than max_delete_fraction 0.25", or nullopt when it may.
std::optional<std::string> CheckDeleteBrake(const Plan& plan,
                                            const DeleteBrakeLimit& limit);

}  // namespace retention

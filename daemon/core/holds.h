// Holds (DESIGN.md: a right to restriction of processing): `retentionctl
// hold --policy NAME | --path PATH | --account ID --reason TEXT` excludes
// targets from every deletion until `retentionctl release-hold`. The Runner
// applies the holds to every plan of a deleting policy, dry runs included,
// so a dry run lists exactly what a real run would delete under them.
//   policy  every removal of that policy (by id)
//   path    removals whose target is PATH or lies below it
//           (and, for an account, its data directory: a hold on it, above
//           it or inside it)
//   account removals of that account (the [accounts] kind, whose actions
//           name "account ID"; no other kind removes accounts)
// A held removal is taken out of the plan, counted as a survivor, and
// reported in a warning. Pure, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/policy.h"
#include "core/state_db.h"

namespace retention {

inline constexpr const char* kHoldKinds[] = {"policy", "path", "account"};

// True when `kind` is one of kHoldKinds.
bool IsHoldKind(const std::string& kind);

// Whether `hold` keeps `action` of policy `policy` from being performed.
bool HoldCovers(const Hold& hold, const std::string& policy,
                const Action& action);

// Removes every removal ("delete", "purge") of `plan` some hold covers,
// adding it to plan->kept (when measured) and one warning per hold used.
void ApplyHolds(const std::vector<Hold>& holds, Plan* plan);

}  // namespace retention

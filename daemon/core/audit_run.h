// AuditPolicies: the audit (audit.h) of every configured policy, or of one.
// Each policy is built afresh from its section through its kind's factory
// (never the daemon's running instance, whose plan a run may be using),
// planned read-only at `now`, its plan checked against the holds, and its
// kind's own audit check added. What `retentionctl audit` prints and what
// the daemon puts in its daily report and metrics.
//
// Cost: one dry-run plan per deleting policy (a walk of each files root
// and log set, a count per rows policy, a read of the accounts table), so
// the daemon runs it when it writes its daily report, not per scrape.
//
// Threading: reads only; safe beside the daemon's runs (its own policy
// instances and database connections).
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "config/kind_registry.h"
#include "core/audit.h"

namespace retention {

// `only`: a policy id or bare name; empty for every policy. Kinds that
// promise no removal (occupancy) are left out. `services.ledger` should be
// null: nothing audited writes.
std::vector<AuditFinding> AuditPolicies(const Config& config,
                                        const KindRegistry& registry,
                                        Services& services,
                                        const std::vector<Hold>& holds,
                                        WallTime now,
                                        const std::string& only = "");

}  // namespace retention

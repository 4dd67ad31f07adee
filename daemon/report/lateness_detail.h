// The report's lateness line (core/lateness.h): for each configured policy
// with a lateness bound, the worst lateness its removals of the period
// carry in their ledger details, against the bound — "worst lateness":
// "12s (bound 1m)", "2m (bound 1m): OVER THE BOUND", or "none removed
// (bound 1m)". Kept apart from report.cc so the report's other sections
// change independently. Pure, thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/ledger.h"
#include "report/report.h"

namespace retention {

// The worst lateness among `removals` (none when none carries one).
std::optional<Duration> WorstLateness(const std::vector<LedgerEntry>& removals);

// Adds the line to each configured policy of `report` whose removals carry
// a lateness or whose section sets max_lateness (the bound: max_lateness,
// or twice its every).
void AddLatenessDetails(
    const Config& config,
    const std::map<std::string, std::vector<LedgerEntry>>& removals,
    Report* report);

}  // namespace retention

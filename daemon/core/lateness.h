// Lateness: how long after its deadline an item is removed, and the bound
// a policy publishes for it (DESIGN.md, "Bounded lateness").
//
// Every deleting kind accepts `max_lateness` (default: twice its `every`).
// The scheduler runs a policy often enough to meet it: an item whose
// deadline passes just after a run took its snapshot is removed by the
// next run, so its lateness is at most the interval between two runs'
// snapshots plus the run time. RunInterval() is that interval: the bound
// less twice the last observed run time and a margin, never longer than
// `every`. A removal's ledger detail ends in "; lateness 1m15s", the
// lateness of its oldest item (rows: at the moment the batch was
// committed; files, archives, accounts: at planning). Pure, thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "config/config.h"
#include "core/policy.h"

namespace retention {

struct KindSpec;

// Appends max_lateness (a duration, no default: see LatenessBoundOf).
void AddLatenessKeys(KindSpec* spec);
// For validators of kinds that call AddLatenessKeys: max_lateness > 0.
void CheckLatenessKeys(const Section& s, std::vector<ConfigError>* errors);
// max_lateness as written, else twice `every`. Precondition: the section's
// kind called AddLatenessKeys and has an `every` key.
Duration LatenessBoundOf(const Section& section);

// The longest wait between two runs that still meets `bound` after a run
// that took `run_time`: bound - 2 * run_time - min(1s, bound / 20), at
// most `every` and at least bound / 10 (a bound the runs cannot meet
// makes them run back to back, nearly).
Duration RunInterval(Duration every, Duration bound, Duration run_time);

// "; lateness 1h2m5s": appended to a removal's reason, how far past its
// deadline the oldest removed item was (never negative, whole seconds, in
// the config's duration spelling); LatenessOf reads it back (the older
// "3725s" form too), empty when `reason` has none.
std::string LatenessSuffix(Duration late);
std::optional<Duration> LatenessOf(const std::string& reason);

// The worst lateness of `plan`'s removals once performed at `done`: each
// reason's lateness (at planning) plus the time since plan.now; nullopt
// when no removal carries one.
std::optional<Duration> PlanLateness(const Plan& plan, WallTime done);

// Prometheus text: retentiond_lateness_bound_seconds{policy} for each of
// `bounds`, retentiond_lateness_worst_seconds{policy} (since the daemon
// started) for each of `worst`.
std::string FormatLatenessMetrics(const std::map<std::string, Duration>& bounds,
                                  const std::map<std::string, Duration>& worst);

}  // namespace retention

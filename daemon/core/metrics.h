// Metrics in the Prometheus text exposition format (version 0.0.4), built
// from the state database alone, so `retentionctl metrics` works whether or
// not the daemon runs. Families:
//   retentiond_build_info{version}                          gauge, 1
//   retentiond_policy_runs_total{policy,result}             counter
//   retentiond_removed_items_total{policy}                  counter
//   retentiond_removed_bytes_total{policy}                  counter
//   retentiond_log_rotations_total{policy}                  counter, logs.*
//   retentiond_log_compressed_bytes_total{policy}           counter, logs.*
//   retentiond_oldest_item_age_seconds{policy}              gauge
//   retentiond_last_success_timestamp_seconds{policy}       gauge
//   retentiond_brake_engaged{policy}                        gauge, 0/1
//   retentiond_clock_paused                                 gauge, 0/1
// Every configured policy appears, with zeros when it has no history,
// except in the two families that have no zero: the oldest item's age (the
// age, when the newest measuring real run ended, of the oldest item it
// left; 0 when it left none; absent until a run measured it) and the last
// success. Pure formatting over a snapshot; thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/state_db.h"

namespace retention {

struct MetricsSnapshot {
  std::set<std::string> policies;  // configured ids, plus any with history
  // Policies whose rotation counters are printed, even at zero: those of a
  // kind that rotates files (KindSpec::rotates), plus any with rotations.
  std::set<std::string> rotating;
  std::map<std::string, PolicyStats> stats;
  std::set<std::string> braked;  // brake names: policy ids, or "clock"
  std::map<std::string, Duration> oldest_age;  // measured policies only
};

// Reads what the metrics need; `configured` are the configuration's ids,
// `rotating` those of them whose kind rotates files.
StatusOr<MetricsSnapshot> CollectMetrics(
    StateDb& db, const std::set<std::string>& configured,
    const std::set<std::string>& rotating);

std::string FormatPrometheus(const MetricsSnapshot& snapshot,
                             const std::string& version);

// `value` escaped for a label's double quotes (backslash, quote, newline).
std::string PrometheusLabelValue(const std::string& value);

}  // namespace retention

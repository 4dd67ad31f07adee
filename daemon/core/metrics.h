// Metrics in the Prometheus text exposition format (version 0.0.4), built
// from the configuration and the state database alone, so `retentionctl
// metrics` works whether or not the daemon runs. Families:
//   retentiond_build_info{version}                          gauge, 1
//   retentiond_metrics_timestamp_seconds                    gauge, Unix s
//   retentiond_ledger_ok                                    gauge, 0/1
//   retentiond_policy_max_age_seconds{policy,kind}          gauge
//   retentiond_policy_budget_bytes{policy,kind}             gauge, logs.*
//   retentiond_policy_runs_total{policy,result}             counter
//   retentiond_last_run_duration_seconds{policy}            gauge
//   retentiond_removed_items_total{policy,kind}             counter
//   retentiond_removed_bytes_total{policy,kind}             counter
//   retentiond_log_rotations_total{policy}                  counter, logs.*
//   retentiond_log_compressed_bytes_total{policy}           counter, logs.*
//   retentiond_items_left{policy}                           gauge
//   retentiond_bytes_left{policy}                           gauge
//   retentiond_oldest_item_age_seconds{policy}              gauge
//   retentiond_last_success_timestamp_seconds{policy}       gauge
//   retentiond_brake_engaged{policy}                        gauge, 0/1
//   retentiond_clock_paused                                 gauge, 0/1
//   retentiond_promise_kept{policy,kind}                    gauge, 0/1
//   retentiond_promise_overdue_items{policy,kind}           gauge
//   retentiond_audit_timestamp_seconds                      gauge, Unix s
//   and the kinds' gauges (ReportSection::AddGauges; occupancy: users,
//   bytes, users over quota, and per user for at most the 100 largest).
// Every configured policy appears in the counters and the brake gauge, with
// zeros when it has no history. What the newest measuring real run left
// (items_left, bytes_left, oldest_item_age) is absent until a run measured
// it; the oldest item's age is absent when that run left nothing
// (items_left 0), never 0. The age limit is present for the policies whose
// kind has one (report section's limit_age), the budget for those with a
// byte budget. The promise gauges are the newest audit's (the daemon
// audits when it writes its daily report, audit_run.h), absent before the
// first; a policy not checked counts as not kept and has no overdue
// sample. Pure formatting over a snapshot; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/kind_registry.h"
#include "core/audit_store.h"
#include "core/policy.h"
#include "core/report_section.h"
#include "core/state_db.h"

namespace retention {

// What the configuration says about a policy, for the metrics.
struct MetricsPolicy {
  std::string kind;                   // "files"
  std::optional<Duration> max_age;    // SectionSummary::limit_age
  std::optional<uint64_t> budget;     // SectionSummary::limit_bytes
};

struct MetricsSnapshot {
  WallTime now{};
  std::set<std::string> policies;  // configured ids, plus any with history
  std::map<std::string, MetricsPolicy> configured;
  // Policies whose rotation counters are printed, even at zero: those of a
  // kind that rotates files (KindSpec::rotates), plus any with rotations.
  std::set<std::string> rotating;
  std::map<std::string, PolicyStats> stats;
  std::set<std::string> braked;  // brake names: policy ids, or "clock"
  std::map<std::string, RunRecord> measured;  // newest measuring real run
  std::map<std::string, Duration> last_run_duration;  // newest real run
  bool ledger_ok = true;  // Ledger::CheckAppendable
  std::vector<KindGauge> gauges;
  std::optional<AuditRecord> audit;  // the newest audit (audit_store.h)
};

// Reads what the metrics need at `now`: the policies of `config` (none when
// null), their kinds from `kinds`, their limits and gauges from `sections`.
StatusOr<MetricsSnapshot> CollectMetrics(StateDb& db, const Config* config,
                                         const KindRegistry& kinds,
                                         const ReportSectionRegistry& sections,
                                         WallTime now);

std::string FormatPrometheus(const MetricsSnapshot& snapshot,
                             const std::string& version);

// retentiond_policy_alert{policy,alert} 1 for each alert standing now
// (Policy::alerts, by policy id); the family's header alone when there is
// none. Only the daemon knows them: `retentionctl metrics` without a
// running daemon has no such sample.
std::string FormatAlertMetrics(
    const std::map<std::string, PolicyAlerts>& alerts);

// `value` escaped for a label's double quotes (backslash, quote, newline).
std::string PrometheusLabelValue(const std::string& value);

}  // namespace retention

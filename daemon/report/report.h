// Report: the retention report's model, built from the state database alone
// (runs, brakes, the ledger and its verification) plus the configuration.
// Per policy it answers the auditor's questions: what was promised (the
// limit), when it last ran and how that ended, what it removed in the period
// (items and bytes per day; never row contents), whether the oldest surviving
// item is within the limit, and whether a brake holds it. Kind-specific parts
// come from a ReportSection registered per kind (report_section.h), so a new
// kind never edits the builder or the writers.
//
// The writers (FormatReportText/Json/Html) are pure functions of a Report.
//
// Threading: BuildReport only reads; StateDb and Ledger serialize themselves.
// A Report is a plain value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "config/config.h"
#include "core/ledger.h"
#include "core/report_section.h"
#include "core/state_db.h"

namespace retention {

inline constexpr char kReportSchema[] = "retentiond.report.v1";

struct DayVolume {
  int64_t items = 0;
  int64_t bytes = 0;
};

// Where the oldest surviving item stands against the limit.
enum class Compliance { kNotMeasured, kWithin, kOverdue };

struct PolicyReport {
  std::string id;    // "files.backups"
  std::string kind;  // "files"
  // False for a policy found in the ledger but no longer configured.
  bool configured = true;
  std::string limit;                  // "max_age 90d, floor min_age 7d"
  // The promise in the privacy policy's words ([KIND.NAME] description);
  // empty when not given.
  std::string description;
  std::optional<Duration> limit_age;  // the age the oldest item must not pass
  // The oldest surviving item as the newest measuring run saw it at its
  // end (RunRecord::kept/oldest): its age then, how many items were left,
  // and when. Empty: not measured. Nothing left counts as age zero.
  std::optional<Duration> oldest_age;
  std::optional<int64_t> kept_items;
  std::optional<WallTime> measured_at;
  // With kept_items: the bytes left, and (logs) the live files' bytes.
  int64_t kept_bytes = 0;
  int64_t live_bytes = 0;
  std::optional<uint64_t> limit_bytes;  // the kind's byte budget, if any
  std::vector<std::pair<std::string, std::string>> details;  // from the kind
  std::string series_title;  // from the kind: a chart over time, if any
  std::vector<ChartSeries> series;
  // With a byte budget: the size (live + rotated) each measuring run in the
  // period left, oldest first.
  std::vector<std::pair<WallTime, uint64_t>> size_history;
  std::optional<RunRecord> last_run;  // the newest run that was not a dry run
  int64_t removed_items = 0;          // in the period
  int64_t removed_bytes = 0;
  // The worst lateness of a removal in the period, where the kind records
  // it (core/lateness.h).
  std::optional<Duration> worst_late;
  std::map<std::string, DayVolume> removed_per_day;  // "YYYY-MM-DD" (UTC)
  std::optional<Brake> brake;
};

struct Report {
  std::string host;  // LocalHostName() when built; "" when unknown
  std::string version;      // retentiond's, when built
  std::string config_path;  // the main configuration file; "" without one
  WallTime generated_at{};
  WallTime since{};  // the period is [since, until]
  WallTime until{};
  std::vector<PolicyReport> policies;  // in configuration order
  LedgerCheck ledger_check;
  std::optional<Brake> clock_brake;
  std::map<std::string, int64_t> daemon_events;  // "start" -> count, period
  std::vector<Hold> holds;                       // in place now
};

// The oldest survivor's age in words: "12d", "89d3h", "2h15m" (HumanDuration),
// "none left", "not measured".
std::string OldestText(const PolicyReport& policy);
// "3 items, 12 MiB"; "3 items" when there are no bytes (rows).
std::string CountAndBytes(int64_t items, int64_t bytes);
// What the last measuring run left, in words: "3 items, 12 MiB", and with a
// live size or a byte budget "3 items, 12 MiB; with live files 16 MiB of
// budget 20 MiB" (", OVER BUDGET" when beyond it). Empty when not measured.
std::string LeftText(const PolicyReport& policy);
// Whether a policy's measured set is over its byte budget.
bool OverBudget(const PolicyReport& policy);

// Where a policy's promise stands: a promise is an age limit or a byte
// budget; it is kept when the oldest survivor is within the limit and the
// set within its budget (as the last measuring run left them).
enum class Promise {
  kKept,
  kOverdue,      // the oldest survivor is past the limit
  kOverBudget,   // the set is over its byte budget
  kNotMeasured,  // no measuring run yet
  kNoLimit,      // the policy measures only (occupancy)
  kFormer,       // in the ledger, no longer configured
};
Promise JudgePromise(const PolicyReport& policy);
// Its words: "✓ kept", "✗ NOT KEPT (oldest survivor past the limit)", "✗
// NOT KEPT (over budget)", "not measured yet", "measures only", "no longer
// configured".
std::string KeptText(const PolicyReport& policy);

// The report's opening verdict: which promises were kept, which not, which
// could not be judged yet (policy ids, in report order).
struct Verdict {
  std::vector<std::string> kept, not_kept, not_measured;
  size_t promises() const {
    return kept.size() + not_kept.size() + not_measured.size();
  }
};
Verdict JudgePromises(const Report& report);
// "8 of 9 promises kept; NOT KEPT: rows.x; not measured yet: files.y".
std::string VerdictText(const Verdict& verdict);

// ✓ within when oldest_age <= limit_age, ✗ overdue when beyond it; not
// measured when either is missing.
Compliance CheckCompliance(const PolicyReport& policy);
// "within", "overdue", "not-measured" (the JSON spelling).
const char* ComplianceName(Compliance c);
// The UTC day of `t`, "YYYY-MM-DD".
std::string UtcDay(WallTime t);
// Every UTC day from since's to until's, inclusive, in order.
std::vector<std::string> DaysInPeriod(WallTime since, WallTime until);

// Builds the report of this host (LocalHostName()) for the period
// [now - since, now]. Reads every ledger
// entry (in pages), verifies the chain (a broken chain is reported in
// ledger_check, not as an error), the runs, and the brakes. Policies without
// a registered ReportSection get limit "(no report section for KIND)".
// Fails only when the state database cannot be read.
StatusOr<Report> BuildReport(const Config& config, StateDb& db, Ledger& ledger,
                             const ReportSectionRegistry& sections,
                             WallTime now, Duration since);

// Writers: pure functions of a Report.
// For a terminal: a header, an aligned table, then the ledger and brakes.
std::string FormatReportText(const Report& report);
// JSON, schema below (stable: fields are only ever added).
std::string FormatReportJson(const Report& report);
// One self-contained HTML page: inline CSS and SVG, no scripts, no external
// references; every text from the database is escaped.
std::string FormatReportHtml(const Report& report);

// JSON schema "retentiond.report.v1". Times are ISO-8601 UTC strings,
// durations whole seconds, absent values null.
// {
//   "schema": "retentiond.report.v1",
//   "host": STRING,                           // "" when unknown
//   "version": STRING, "config": STRING,      // "" when unknown
//   "verdict": {"promises": INT, "kept": [ID, ...], "not_kept": [ID, ...],
//               "not_measured": [ID, ...]},
//   "generated_at": TIME,
//   "period": {"since": TIME, "until": TIME},
//   "ledger": {"verified": BOOL, "entries": INT, "head_hash": HEX,
//              "first_bad_seq": INT|null, "problem": STRING|null},
//   "clock_brake": null | {"reason": STRING, "since": TIME},
//   "daemon_events": {ACTION: INT, ...},      // "start", "stop", "reload"...
//   "holds": [{"kind": STRING, "target": STRING, "reason": STRING,
//              "by": STRING, "since": TIME}, ...],
//   "policies": [{
//     "id": STRING, "kind": STRING, "configured": BOOL,
//     "limit": STRING, "description": STRING,   // "" when not given
//     "worst_lateness_seconds": INT|null,       // removals in the period
//     "limit_age_seconds": INT|null, "oldest_age_seconds": INT|null,
//     "kept_items": INT|null, "measured_at": TIME|null,  // by the last run
//     "kept_bytes": INT|null, "live_bytes": INT|null,   // null: not measured
//     "limit_bytes": INT|null,                          // a byte budget
//     "compliance": "within" | "overdue" | "not-measured",
//     "details": [{"name": STRING, "value": STRING}, ...],
//     "last_run": null | {"id": INT, "started": TIME, "finished": TIME|null,
//                         "outcome": STRING, "actions": INT, "bytes": INT,
//                         "error": STRING},
//     "removed": {"items": INT, "bytes": INT},
//     "removed_per_day": [{"day": "YYYY-MM-DD", "items": INT,
//                          "bytes": INT}, ...],   // days with removals only
//     "brake": null | {"reason": STRING, "since": TIME}
//   }, ...]
// }

}  // namespace retention

// Report merging: the JSON reports of several hosts ("retentiond.report.v1",
// report.h, as `retentionctl report --format json` and the daily report
// write them) made into one fleet report. Per policy it gives what each host
// removed and the total, each host's last run, its limit (hosts may
// disagree), the oldest survivor across hosts and the worst compliance; per
// host, whether its ledger verified. `retentionctl report --merge` prints it.
//
// A host is named by the report's "host" field (the host name the report
// was built on) when not empty, else by its file as given without ".json"
// ("web1.json" -> "web1", "web1/2026-12-05.json" -> "web1/2026-12-05").
//
// Everything here is pure (the caller reads the files): MergeReports,
// FormatMergedText and FormatMergedJson. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace retention {

inline constexpr char kMergedReportSchema[] = "retentiond.merged-report.v1";

// One report file as read: its name as given, and its bytes.
struct ReportFile {
  std::string path;
  std::string text;
};

// One host's view of one policy; times are the report's ISO-8601 strings.
struct HostPolicy {
  std::string host;
  std::string limit;
  std::optional<int64_t> limit_age_seconds;
  std::optional<int64_t> oldest_age_seconds;
  std::optional<int64_t> kept_items;
  std::optional<std::string> measured_at;
  std::string compliance;  // "within", "overdue", "not-measured"
  std::optional<std::string> last_run_started;
  std::string last_run_outcome;  // empty: never ran
  int64_t removed_items = 0;
  int64_t removed_bytes = 0;
  bool brake = false;
};

struct MergedPolicy {
  std::string id;
  std::string kind;
  std::vector<HostPolicy> hosts;    // the hosts that report it, input order
  std::vector<std::string> absent;  // the hosts that do not
  bool limits_agree = true;         // every host reports the same limit
  int64_t removed_items = 0;        // summed over the hosts
  int64_t removed_bytes = 0;
  // The host whose oldest survivor is the oldest (by age as measured),
  // nullopt when no host measured one; ties go to the first host.
  std::optional<size_t> oldest_index;  // into hosts
  // The worst compliance of any host: overdue, else not-measured when some
  // host did not measure, else within.
  std::string compliance;
};

struct MergedHost {
  std::string host;
  std::string path;
  std::string generated_at;
  std::string since;
  std::string until;
  bool ledger_verified = true;
  int64_t ledger_entries = 0;
  std::string head_hash;
  int64_t first_bad_seq = 0;               // 0 when verified
  std::string problem;                     // empty when verified
  std::optional<std::string> clock_brake;  // its reason, when engaged
};

struct MergedReport {
  std::vector<MergedHost> hosts;       // input order
  std::vector<MergedPolicy> policies;  // first appearance order
  bool all_verified = true;
};

// Merges `files` (at least one). Fails with InvalidArgument naming the file
// (and the field) when a file is not JSON, has another schema than
// retentiond.report.v1, lacks a field or has one of the wrong type, or names
// the same host as an earlier file.
StatusOr<MergedReport> MergeReports(const std::vector<ReportFile>& files);

// For a terminal, within 80 columns: the hosts with their ledgers, then one
// block per policy with a row per host and the total.
std::string FormatMergedText(const MergedReport& report);
// JSON, schema kMergedReportSchema, with exact numbers:
// {"schema": ..., "all_verified": BOOL,
//  "hosts": [{"host", "file", "generated_at", "period": {"since", "until"},
//             "ledger": {"verified", "entries", "head_hash",
//                        "first_bad_seq": INT|null, "problem": STRING|null},
//             "clock_brake": STRING|null}, ...],
//  "policies": [{"id", "kind", "limits_agree": BOOL, "compliance",
//                "removed": {"items", "bytes"},
//                "oldest": null | {"host", "age_seconds", "measured_at"},
//                "absent_on": [HOST, ...],
//                "hosts": [{"host", "limit", "limit_age_seconds",
//                           "oldest_age_seconds", "kept_items",
//                           "measured_at", "compliance",
//                           "last_run": null | {"started", "outcome"},
//                           "removed": {"items", "bytes"},
//                           "brake": BOOL}, ...]}, ...]}
std::string FormatMergedJson(const MergedReport& report);

}  // namespace retention

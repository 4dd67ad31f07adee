// The daily report file: once per UTC day the daemon writes the retention
// report for the past 30 days to state_dir/reports/YYYY-MM-DD.html and
// .json, so an auditor finds a dated trail without running anything. Each
// file is written atomically; the JSON file, written last, marks the day as
// done. The daemon never deletes these files.
//
// Threading: call from one thread at a time (the main loop's query thread).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/audit.h"
#include "core/ledger.h"
#include "core/state_db.h"
#include "os/filesystem.h"

namespace retention {

inline constexpr char kReportsDir[] = "reports";
inline constexpr Duration kDailyReportPeriod = std::chrono::hours(24 * 30);

// Runs the audit that goes into a report (Daemon::Audit); may be empty.
using ReportAudit = std::function<StatusOr<std::vector<AuditFinding>>()>;

// Writes today's (UTC, by `now`) report unless it exists, with `audit`'s
// findings when it succeeds (it runs only when a report is written; its
// failure is logged and the report goes without). Returns whether it
// wrote one. Creates state_dir/reports (0750) if missing.
StatusOr<bool> WriteDailyReport(Filesystem& fs, const Config& config,
                                StateDb& db, Ledger& ledger, WallTime now,
                                const ReportAudit& audit = {});

}  // namespace retention

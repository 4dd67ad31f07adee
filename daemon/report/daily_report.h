// The daily report file: once per UTC day the daemon writes the retention
// report for the past 30 days to state_dir/reports/YYYY-MM-DD.html and
// .json, so an auditor finds a dated trail without running anything. Each
// file is written atomically; the JSON file, written last, marks the day as
// done. The daemon never deletes these files.
//
// Threading: call from one thread at a time (the main loop's query thread).
#pragma once

#include <string>

#include "config/config.h"
#include "core/ledger.h"
#include "core/state_db.h"
#include "os/filesystem.h"

namespace retention {

inline constexpr char kReportsDir[] = "reports";
inline constexpr Duration kDailyReportPeriod = std::chrono::hours(24 * 30);

// Writes today's (UTC, by `now`) report unless it exists. Returns whether
// it wrote one. Creates state_dir/reports (0750) if missing.
StatusOr<bool> WriteDailyReport(Filesystem& fs, const Config& config,
                                StateDb& db, Ledger& ledger, WallTime now);

}  // namespace retention

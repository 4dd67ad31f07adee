// How run reports are shown: log lines for the daemon, a table or JSON for
// `retentiond --once`, and the Run object of the control socket (the same
// JSON, so --once --json, RunPolicy's reply and retentionctl agree).
// Pure formatting; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/runner.h"

namespace retention {

// Logs the plan's warnings and the run's errors, then a one-line summary.
// Performed actions are logged as the ledger records them (runner.cc); a
// dry run's plan is output, not log: FormatRunsText prints it.
void LogRunReport(const RunReport& report);

// "files.backups  ok  3 of 3 done, 1.2G" — one line.
std::string SummarizeRun(const RunReport& report);

// --once output: for a dry run every planned action with its reason, then a
// summary line per policy.
std::string FormatRunsText(const std::vector<RunReport>& reports);
// {"runs": [RunToJson(report), ...]}, pretty-printed.
std::string FormatRunsJson(const std::vector<RunReport>& reports);
// One run as io.retentiond.Manager's Run type: policy, dry_run, outcome,
// error, scope, planned (action, target, bytes, count, reason), warnings,
// done, failed, bytes, errors.
nlohmann::json RunToJson(const RunReport& report);

// The inverse of RunToJson, for a RunPolicy reply's `run`: a RunReport that
// FormatRunsText and ExitCodeForRuns take. Fields it does not know are
// ignored. Failure: kInvalidArgument naming the field that is missing or of
// the wrong type. Never throws.
StatusOr<RunReport> RunFromJson(const nlohmann::json& run);

// The exit code of --once: 0 all ok, 75 if a brake held any run, 1 if any
// run failed (failure wins).
int ExitCodeForRuns(const std::vector<RunReport>& reports);

}  // namespace retention

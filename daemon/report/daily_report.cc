#include "report/daily_report.h"

#include <spdlog/spdlog.h>

#include "core/report_section.h"
#include "os/atomic_file.h"
#include "report/report.h"

namespace retention {

StatusOr<bool> WriteDailyReport(Filesystem& fs, const Config& config,
                                StateDb& db, Ledger& ledger, WallTime now,
                                const ReportAudit& audit) {
  const std::string state_dir = config.daemon().GetString("state_dir");
  auto root = fs.OpenRoot(state_dir);
  if (!root.ok()) return root.status();
  // Private like state.db: a report names the paths deleted.
  Status made = fs.MakeDirAt(**root, kReportsDir, 0700);
  if (!made.ok() && !made.IsBusy()) return made;
  auto dir = fs.OpenDir(**root, kReportsDir);
  if (!dir.ok()) return dir.status();
  const std::string day = UtcDay(now);
  auto marker = fs.StatAt(**dir, day + ".json");
  if (marker.ok()) return false;
  if (!marker.status().IsNotFound()) return marker.status();
  auto report = BuildReport(config, db, ledger, BuiltinReportSections(), now,
                            kDailyReportPeriod);
  if (!report.ok()) return report.status();
  if (audit) {
    auto findings = audit();
    if (findings.ok()) {
      report->audit = std::move(*findings);
    } else {
      spdlog::warn("daily report without its audit: {}",
                   findings.status().ToString());
    }
  }
  const std::string base = state_dir + "/" + kReportsDir + "/" + day;
  RETENTION_RETURN_IF_ERROR(
      WriteFileAtomically(fs, base + ".html", FormatReportHtml(*report), 0600));
  RETENTION_RETURN_IF_ERROR(
      WriteFileAtomically(fs, base + ".json", FormatReportJson(*report), 0600));
  return true;
}

}  // namespace retention

// The report section registry and the sections of the built-in kinds.
#include <algorithm>
#include <cassert>

#include "config/config_value.h"
#include "core/report_section.h"
#include "kinds/accounts/accounts_report.h"
#include "kinds/files/files_report.h"
#include "kinds/logs/logs_report.h"
#include "kinds/occupancy/occupancy_report.h"
#include "kinds/rows/rows_report.h"

namespace retention {

void ReportSectionRegistry::Register(std::unique_ptr<ReportSection> section) {
  std::string kind = section->kind();
  assert(sections_.count(kind) == 0);
  sections_[kind] = std::move(section);
}

const ReportSection* ReportSectionRegistry::Find(
    const std::string& kind) const {
  auto it = sections_.find(kind);
  return it == sections_.end() ? nullptr : it->second.get();
}

SectionSummary AgeLimitSummary(const Section& section) {
  SectionSummary s;
  const Duration max_age = section.GetDuration("max_age");
  const Duration min_age = section.GetDuration("min_age");
  s.limit = "max_age " + FormatDuration(max_age);
  if (min_age > Duration::zero()) {
    s.limit += ", floor min_age " + FormatDuration(min_age);
  }
  s.limit_age = std::max(max_age, min_age);
  return s;
}

ReportSectionRegistry BuiltinReportSections() {
  ReportSectionRegistry registry;
  registry.Register(MakeFilesReportSection());
  registry.Register(MakeLogsReportSection());
  registry.Register(MakeRowsReportSection());
  registry.Register(MakeOccupancyReportSection());
  registry.Register(MakeAccountsReportSection());
  return registry;
}

}  // namespace retention

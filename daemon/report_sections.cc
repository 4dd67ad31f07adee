// The report section registry and the sections of the built-in kinds.
#include <cassert>

#include "files_report.h"
#include "logs_report.h"
#include "occupancy_report.h"
#include "report_section.h"

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

ReportSectionRegistry BuiltinReportSections() {
  ReportSectionRegistry registry;
  registry.Register(MakeFilesReportSection());
  registry.Register(MakeLogsReportSection());
  registry.Register(MakeOccupancyReportSection());
  return registry;
}

}  // namespace retention

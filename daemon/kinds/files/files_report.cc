#include "kinds/files/files_report.h"

#include <algorithm>

#include "config/config_value.h"

namespace retention {
namespace {

class FilesReportSection final : public ReportSection {
 public:
  std::string kind() const override { return "files"; }

  SectionSummary Summarize(const Section& section) const override {
    SectionSummary s = AgeLimitSummary(section);
    s.details = {{"root", section.GetString("root")},
                 {"match", section.GetString("match")},
                 {"every", FormatDuration(section.GetDuration("every"))}};
    return s;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeFilesReportSection() {
  return std::make_unique<FilesReportSection>();
}

}  // namespace retention

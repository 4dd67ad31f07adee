#include "files_report.h"

#include <algorithm>

#include "config_value.h"

namespace retention {
namespace {

class FilesReportSection final : public ReportSection {
 public:
  std::string kind() const override { return "files"; }

  SectionSummary Summarize(const Section& section) const override {
    SectionSummary s;
    const Duration max_age = section.GetDuration("max_age");
    const Duration min_age = section.GetDuration("min_age");
    s.limit = "max_age " + FormatDuration(max_age);
    if (min_age > Duration::zero()) {
      s.limit += ", floor min_age " + FormatDuration(min_age);
    }
    s.limit_age = std::max(max_age, min_age);
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

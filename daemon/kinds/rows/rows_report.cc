#include "kinds/rows/rows_report.h"

#include <algorithm>

#include "config/config_value.h"
#include "kinds/rows/rows_planner.h"
#include "kinds/rows/rows_rule.h"

namespace retention {
namespace {

class RowsReportSection final : public ReportSection {
 public:
  std::string kind() const override { return "rows"; }

  SectionSummary Summarize(const Section& section) const override {
    SectionSummary s = AgeLimitSummary(section);
    auto url = DatabaseUrlOf(section);  // validated at load
    std::string database = "?";
    if (url.ok()) {
      database = url->backend == DatabaseUrl::Backend::kPostgres
                     ? RedactPassword(url->uri)
                     : "sqlite:" + url->path;
    }
    s.details = {{"database", database},
                 {"table", section.GetString("table")},
                 {"time_column", section.GetString("time_column") + " (" +
                                     section.GetString("time_format") + ")"},
                 {"every", FormatDuration(section.GetDuration("every"))}};
    if (section.Has("where")) {
      s.details.push_back({"where", section.GetString("where")});
    }
    return s;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeRowsReportSection() {
  return std::make_unique<RowsReportSection>();
}

}  // namespace retention

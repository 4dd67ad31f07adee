#include "kinds/logs/logs_report.h"

#include <algorithm>

#include "config/config_value.h"
#include "kinds/logs/logs_rule.h"

namespace retention {
namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

class LogsReportSection final : public ReportSection {
 public:
  std::string kind() const override { return "logs"; }

  SectionSummary Summarize(const Section& section) const override {
    const LogsRule r = LogsRuleFromSection(section);
    SectionSummary s;
    std::vector<std::string> limits;
    if (r.max_file_size > 0) {
      limits.push_back("file " + FormatSize(r.max_file_size));
    }
    if (r.max_total_size > 0) {
      limits.push_back("budget " + FormatSize(r.max_total_size));
    }
    if (r.max_age > Duration::zero()) {
      limits.push_back("max_age " + FormatDuration(r.max_age));
    }
    if (r.keep > 0) limits.push_back("keep " + std::to_string(r.keep));
    if (r.min_age > Duration::zero()) {
      limits.push_back("floor min_age " + FormatDuration(r.min_age));
    }
    for (const std::string& l : limits) {
      s.limit += (s.limit.empty() ? "" : ", ") + l;
    }
    if (r.max_total_size > 0) s.limit_bytes = r.max_total_size;
    if (r.max_age > Duration::zero()) {
      s.limit_age = std::max(r.max_age, r.min_age);
    }
    s.details = {
        {"paths", Join(r.paths)},
        {"method", r.method == RotateMethod::kTruncate ? "truncate" : "reopen"},
        {"compress", CompressionName(r.compress)},
        {"every", FormatDuration(r.every)}};
    if (!r.archive_dir.empty())
      s.details.push_back({"archive_dir", r.archive_dir});
    return s;
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeLogsReportSection() {
  return std::make_unique<LogsReportSection>();
}

}  // namespace retention

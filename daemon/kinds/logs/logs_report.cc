#include "kinds/logs/logs_report.h"

#include <algorithm>

#include "config/config_value.h"
#include "core/verb.h"
#include "kinds/logs/log_rotator.h"
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

  // A live file written without O_APPEND (its rotations punch the head out
  // in place): no line is lost, but what is at risk is said here, once per
  // report, as the log says it once.
  std::vector<std::pair<std::string, std::string>> EntryDetails(
      const std::vector<LedgerEntry>& entries) const override {
    int64_t punched = 0;
    const LedgerEntry* last = nullptr;
    for (const LedgerEntry& e : entries) {
      if (e.action == VerbName(Verb::kRotate) &&
          e.detail.find(kPunchedNote) != std::string::npos) {
        ++punched;
        last = &e;
      }
    }
    if (last == nullptr) return {};
    return {{"writer without O_APPEND",
             std::to_string(punched) +
                 (punched == 1 ? " rotation" : " rotations") +
                 " punched the head out in place (last " + last->target +
                 ", " + FormatIso8601(last->time) +
                 "): no line is lost, but the live file's apparent size "
                 "grows with the writer's offset until the writer opens it "
                 "with O_APPEND or reopens it"}};
  }
};

}  // namespace

std::unique_ptr<ReportSection> MakeLogsReportSection() {
  return std::make_unique<LogsReportSection>();
}

}  // namespace retention

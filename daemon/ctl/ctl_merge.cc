// retentionctl report --merge FILE...: one report from several hosts' JSON
// reports (report/report_merge.h). Needs neither the daemon nor a state
// directory.
#include <fstream>
#include <ostream>
#include <sstream>

#include "base/exit_codes.h"
#include "ctl/ctl_offline.h"
#include "report/report_merge.h"

namespace retention {

int MergeReportFiles(CtlContext& ctx) {
  if (ctx.args.empty()) {
    ctx.err << "retentionctl: report --merge: give the JSON reports to merge "
               "(retentionctl report --format json on each host)\n";
    return kExitUsage;
  }
  if (ctx.format != "text" && ctx.format != "json") {
    ctx.err << "retentionctl: report --merge: --format is text or json\n";
    return kExitUsage;
  }
  std::vector<ReportFile> files;
  for (const std::string& path : ctx.args) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      ctx.err << "retentionctl: report --merge: cannot read " << path << "\n";
      return kExitFailure;
    }
    files.push_back({path, text.str()});
  }
  auto merged = MergeReports(files);
  if (!merged.ok()) {
    ctx.err << "retentionctl: report --merge: " << merged.status().message()
            << "\n";
    return kExitFailure;
  }
  const bool json = ctx.json || ctx.format == "json";
  return WriteReport(
      ctx, json ? FormatMergedJson(*merged) : FormatMergedText(*merged));
}

}  // namespace retention

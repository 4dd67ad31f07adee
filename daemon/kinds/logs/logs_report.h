// The [logs.NAME] kind's section of the retention report: the promised
// limits in words (the size cap per file, the set's byte budget, the age
// and count of rotated files, the min_age floor), the age limit the oldest
// rotated file is held to (max_age, or the floor when that is longer), and
// the set's paths, method and compression. The oldest rotated file's age
// comes from the runs, like every kind's (PlanLogs measures it).
//
// Threading: the provider is stateless; share it freely.
#pragma once

#include <memory>

#include "core/report_section.h"

namespace retention {

std::unique_ptr<ReportSection> MakeLogsReportSection();

}  // namespace retention

// The [files.NAME] kind's section of the retention report: its limit is
// max_age, or the min_age floor when that is longer (nothing younger than
// the floor is ever deleted, so the floor is what is promised then). The
// oldest surviving file comes from the runs (PlanFiles measures it).
//
// Threading: the provider is stateless; share it freely.
#pragma once

#include <memory>

#include "core/report_section.h"

namespace retention {

std::unique_ptr<ReportSection> MakeFilesReportSection();

}  // namespace retention

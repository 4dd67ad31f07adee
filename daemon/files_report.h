// The [files.NAME] kind's section of the retention report: its limit is
// max_age (with the min_age floor when set). The oldest surviving file's age
// is not stored in the state database, and the report never scans a
// filesystem, so it is left unmeasured.
//
// Threading: the provider is stateless; share it freely.
#pragma once

#include <memory>

#include "report_section.h"

namespace retention {

std::unique_ptr<ReportSection> MakeFilesReportSection();

}  // namespace retention

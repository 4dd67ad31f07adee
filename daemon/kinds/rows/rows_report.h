// The [rows.NAME] kind's section of the retention report: the limit
// (max_age, or the min_age floor when longer), the table, time column,
// format and `where` it applies to (the worst lateness, against the
// bound, is every deleting kind's: report/lateness_detail.h). Rows
// removed per day and the age of the
// oldest surviving matching row come from the ledger and the runs like
// every kind's (the survey measures it through the time column's index).
//
// Threading: the provider is stateless; share it freely.
#pragma once

#include <memory>

#include "core/report_section.h"

namespace retention {

std::unique_ptr<ReportSection> MakeRowsReportSection();

}  // namespace retention

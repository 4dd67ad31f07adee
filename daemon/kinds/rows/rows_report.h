// The [rows.NAME] kind's section of the retention report: the limit
// (max_age, or the min_age floor when longer), the table, time column,
// format and `where` it applies to, and from the period's ledger entries
// the worst lateness — how far past its deadline the oldest row of a
// removal was when it was removed. Rows removed per day and the age of the
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

// The [occupancy] kind's report section: its quota rule, and from the state
// database the users over quota, the largest users, when the last full
// measurement finished and how long it took, and a chart of the largest
// users' allocated bytes over time.
//
// Threading: the provider is stateless; share it freely.
#pragma once

#include <memory>

#include "core/report_section.h"

namespace retention {

std::unique_ptr<ReportSection> MakeOccupancyReportSection();

}  // namespace retention

// The [accounts] kind's section of the retention report: the limit (the
// grace, or the min_age floor when longer), the table and columns it reads,
// what a purge removes (data_dir, cascade tables, the account row), the
// purges waiting as the last real run saw them (how many, the next few due
// with their dates, any a hold keeps), and from the period's ledger the
// accounts purged. The oldest waiting account's deleted time is the oldest
// surviving item every kind reports.
//
// Threading: the provider is stateless; share it freely.
#pragma once

#include <memory>

#include "core/report_section.h"

namespace retention {

std::unique_ptr<ReportSection> MakeAccountsReportSection();

}  // namespace retention

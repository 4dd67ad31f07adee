// RowsRule: the settings of one [rows.NAME] section (rows of an application
// table that expire by a time column). The pure checks on SQL names, the
// `where` text and the database URL are in sql/sql_names.h. The kind's
// keys and cross-key validation are RowsKindSpec() (rows_kind_spec.cc).
// Thread-safe (no state).
#pragma once

#include <algorithm>
#include <string>

#include "config/config.h"
#include "config/database_url.h"
#include "config/kind_registry.h"
#include "core/policy.h"
#include "kinds/rows/rows_database.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {

struct RowsRule {
  RowsTarget target;
  Duration max_age{};
  Duration min_age{};  // floor: wins over max_age
  Duration every{};
  bool allow_full_scan = false;
  DeleteBrakeLimit brake;  // the mass-deletion brake (delete_brake.h)

  // Rows older than this are expired: max(max_age, min_age).
  Duration deadline() const { return std::max(max_age, min_age); }
};

// Precondition: `section` is a [rows.NAME] section validated at load.
RowsRule RowsRuleFromSection(const Section& section);

KindSpec RowsKindSpec();

}  // namespace retention

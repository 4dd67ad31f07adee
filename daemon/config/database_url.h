// The `database` key of a section that reads an application database
// ([rows.NAME], [accounts], [occupancy]), resolved to what a backend opens.
#pragma once

#include <string>

#include "base/status.h"
#include "config/config.h"
#include "sql/sql_names.h"

namespace retention {

// The database path of a section's `database` key, resolved as above, for
// the kinds that speak SQLite only ([accounts], [occupancy]).
StatusOr<std::string> DatabasePathOf(const Section& section);

// The section's `database` key as SQLite or PostgreSQL (ParseDatabaseUrl),
// for the kinds that speak both ([rows.NAME]).
StatusOr<DatabaseUrl> DatabaseUrlOf(const Section& section);

}  // namespace retention

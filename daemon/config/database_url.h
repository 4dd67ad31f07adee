// The `database` key of a section that reads an application database
// ([rows.NAME], [accounts], [occupancy]), resolved to what a backend opens.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "sql/sql_names.h"

namespace retention {

// The database path of a section's `database` key, resolved as above, for
// the kinds that speak SQLite only ([accounts], [occupancy]).
StatusOr<std::string> DatabasePathOf(const Section& section);

// The section's `database` key as SQLite or PostgreSQL (ParseDatabaseUrl),
// for the kinds that speak both ([rows.NAME], [accounts]).
StatusOr<DatabaseUrl> DatabaseUrlOf(const Section& section);

// The section's `time_format` against its backend: `native` is for
// PostgreSQL columns (timestamptz, timestamp, date); iso8601 and julianday
// are for SQLite; unix and unix_ms for both. Errors at the key's line.
void CheckTimeFormatFor(const Section& section, const DatabaseUrl& url,
                        std::vector<ConfigError>* errors);

}  // namespace retention

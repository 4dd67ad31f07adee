// The [occupancy] kind's reads and writes in the application's SQLite
// database: quotas from a column (quota_from) and the published usage table
// (publish_to), so the application can enforce quotas itself.
//
// Threading: each call opens its own connection; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/status.h"
#include "kinds/occupancy/occupancy_history.h"
#include "kinds/occupancy/occupancy_rule.h"

namespace retention {

// SELECT id_column, COLUMN FROM TABLE: user id -> quota in bytes. Rows with
// a NULL or negative quota are left out (the next rule applies to them).
StatusOr<std::map<std::string, uint64_t>> ReadQuotas(
    const SqliteTarget& from, const std::string& id_column);

// Creates TABLE if missing (user_id TEXT PRIMARY KEY, allocated_bytes,
// apparent_bytes, files, measured_at as Unix seconds) and upserts every
// user of `scan` in one transaction.
Status PublishOccupancy(const SqliteTarget& to,
                        const OccupancyScanRecord& scan);

// For --check-config, read-only, reading no rows: whether ReadQuotas would
// find its database, table and both columns.
Status CheckQuotaSource(const SqliteTarget& from, const std::string& id_column);
// Whether PublishOccupancy could upsert: a missing database needs an
// existing directory (it is created there); a TABLE that exists needs the
// five columns and a unique user_id (the upsert's conflict target).
Status CheckPublishTarget(const SqliteTarget& to);

}  // namespace retention

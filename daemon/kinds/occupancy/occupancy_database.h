// The [occupancy] kind's reads and writes in the application's database:
// quotas from a column (quota_from) and the published usage table
// (publish_to), so the application can enforce quotas itself. Each
// function takes the target's backend: SQLite (occupancy_sqlite_store.cc)
// or PostgreSQL (occupancy_pg_store.cc); occupancy_database.cc picks one.
//
// On PostgreSQL every call is one connection and one transaction bounded by
// lock and statement timeouts, with no session state (no prepared
// statement or setting outlives it), so it works through PgBouncer in
// transaction pooling mode.
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
    const OccupancyTarget& from, const std::string& id_column);

// Creates TABLE if missing (user_id text primary key, allocated_bytes,
// apparent_bytes, files, measured_at: Unix seconds on SQLite, timestamptz
// on PostgreSQL) and upserts every user of `scan` in one transaction.
Status PublishOccupancy(const OccupancyTarget& to,
                        const OccupancyScanRecord& scan);

// For --check-config, start and reload, read-only, reading no rows:
// whether ReadQuotas would find its database, table and both columns (on
// PostgreSQL also the SELECT privilege and a numeric quota column).
Status CheckQuotaSource(const OccupancyTarget& from,
                        const std::string& id_column);
// Whether PublishOccupancy could upsert. SQLite: a missing database needs
// an existing directory (it is created there). A TABLE that exists needs
// the five columns and a unique user_id (the upsert's conflict target);
// on PostgreSQL also INSERT and UPDATE privileges, and a missing TABLE
// needs the CREATE privilege on its schema.
Status CheckPublishTarget(const OccupancyTarget& to);

// The same on one backend each.
StatusOr<std::map<std::string, uint64_t>> ReadSqliteQuotas(
    const OccupancyTarget& from, const std::string& id_column);
Status PublishSqliteOccupancy(const OccupancyTarget& to,
                              const OccupancyScanRecord& scan);
Status CheckSqliteQuotaSource(const OccupancyTarget& from,
                              const std::string& id_column);
Status CheckSqlitePublishTarget(const OccupancyTarget& to);

StatusOr<std::map<std::string, uint64_t>> ReadPgQuotas(
    const OccupancyTarget& from, const std::string& id_column);
Status PublishPgOccupancy(const OccupancyTarget& to,
                          const OccupancyScanRecord& scan);
Status CheckPgQuotaSource(const OccupancyTarget& from,
                          const std::string& id_column);
Status CheckPgPublishTarget(const OccupancyTarget& to);

}  // namespace retention

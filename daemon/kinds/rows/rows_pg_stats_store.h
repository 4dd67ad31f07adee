// What PostgreSQL's statistics say of a [rows] table (pg_class,
// pg_stat_user_tables): its dead tuples (the vacuum debt deleting leaves)
// and whether it was never analyzed, which makes the planner pick slow
// plans for the batches (measured: 80 ms each, 2.5k rows/s until ANALYZE).
//
// Threading: uses the caller's connection, inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "sql/pg_connection.h"

namespace retention {

struct PgTableStats {
  std::optional<int64_t> dead_tuples;  // nullopt: no statistics row
  // No planner statistics: reltuples < 0 (never vacuumed or analyzed,
  // PostgreSQL 14 and later), no last_analyze nor last_autoanalyze.
  bool never_analyzed = false;
  bool may_analyze = false;  // the session's role owns the table
};

// The statistics of `quoted_table`; all defaults when it has none.
StatusOr<PgTableStats> ReadPgTableStats(PgConnection& db,
                                        const std::string& quoted_table);

// Runs a plain ANALYZE on `quoted_table` when it was never analyzed and
// the role owns it (a lock that lets the application read and write;
// never VACUUM FULL); nothing otherwise. Failure: the database's error.
Status AnalyzeIfNeverAnalyzed(PgConnection& db,
                              const std::string& quoted_table);

}  // namespace retention

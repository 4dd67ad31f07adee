// What PostgreSQL's catalog says about a [rows] policy's table: the
// table's schema (the fleet's tables live beside it), the time column's
// type, and whether an index lets the batches find expired rows without a
// scan. Used by rows_pg_store.cc at open and at every check.
//
// Threading: uses the caller's connection, inside the caller's transaction.
#pragma once

#include <string>

#include "base/status.h"
#include "kinds/rows/rows_database.h"
#include "sql/pg_connection.h"
#include "sql/pg_time.h"

namespace retention {

struct PgTable {
  std::string schema;   // of the table: the marks live beside it
  std::string regtype;  // of the time column
  PgTimeType type = PgTimeType::kOther;
};

// Reads target.table and its target.time_column. Failure: kNotFound (no
// such table or column), kInvalidArgument (not a plain table: a view, a
// partitioned table), or the database's error.
StatusOr<PgTable> DescribePgTable(PgConnection& db, const RowsTarget& target);

// Ok when a valid, non-partial btree index has target.time_column as its
// first column; else kInvalidArgument naming the CREATE INDEX that would
// fix it. Failure: the database's error.
Status CheckPgTimeIndex(PgConnection& db, const RowsTarget& target);

}  // namespace retention

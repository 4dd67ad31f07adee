// How a PostgreSQL time column is compared with a cutoff and read as
// seconds, whatever its type: timestamptz, timestamp (taken as UTC) and
// date are `time_format = native`; bigint and integer columns hold unix
// seconds or milliseconds. The type comes from the catalog
// (format_type(atttypid, NULL)); the statements are built from the quoted
// column and these casts, the cutoff is a bound parameter.
//
// Pure, thread-safe.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "sql/sql_time.h"

namespace retention {

enum class PgTimeType { kTimestampTz, kTimestamp, kDate, kInteger, kOther };

// "timestamp with time zone" -> kTimestampTz, ... "bigint" -> kInteger.
PgTimeType PgTimeTypeOf(const std::string& regtype);

struct PgTimeColumn {
  std::string quoted;   // the column, quoted
  std::string regtype;  // as the catalog names its type
  PgTimeType type = PgTimeType::kOther;
  TimeFormat format = TimeFormat::kNative;

  // Ok when `format` reads `type`; else kInvalidArgument naming what
  // would (`what`: "column deleted_at of app.users").
  Status CheckFormat(const std::string& what) const;
  // The SQL type a cutoff parameter is cast to: "timestamptz",
  // "timestamp" (also for date: date < timestamp compares at midnight UTC
  // and keeps the index) or "bigint".
  std::string Cast() const;
  // The cutoff as the text that cast reads.
  std::string Param(WallTime t) const;
  // The column as unix seconds (float8), NULL where it is NULL.
  std::string Seconds() const;
};

}  // namespace retention

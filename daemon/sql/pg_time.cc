#include "sql/pg_time.h"

#include <chrono>
#include <cmath>

namespace retention {

PgTimeType PgTimeTypeOf(const std::string& regtype) {
  if (regtype == "timestamp with time zone") return PgTimeType::kTimestampTz;
  if (regtype == "timestamp without time zone") return PgTimeType::kTimestamp;
  if (regtype == "date") return PgTimeType::kDate;
  if (regtype == "bigint" || regtype == "integer") return PgTimeType::kInteger;
  return PgTimeType::kOther;
}

Status PgTimeColumn::CheckFormat(const std::string& what) const {
  const bool native = format == TimeFormat::kNative;
  if (native && type != PgTimeType::kInteger && type != PgTimeType::kOther) {
    return Status::Ok();
  }
  if (!native && type == PgTimeType::kInteger &&
      (format == TimeFormat::kUnixSeconds ||
       format == TimeFormat::kUnixMillis)) {
    return Status::Ok();
  }
  std::string want = "a timestamptz, timestamp, date, bigint or integer column";
  if (type == PgTimeType::kInteger) want = "time_format = unix or unix_ms";
  if (type != PgTimeType::kInteger && type != PgTimeType::kOther) {
    want = "time_format = native";
  }
  return Status::InvalidArgument(what + " is " + regtype +
                                 ", which time_format = " +
                                 TimeFormatName(format) +
                                 " does not read; it needs " + want);
}

std::string PgTimeColumn::Cast() const {
  switch (type) {
    case PgTimeType::kTimestampTz:
      return "timestamptz";
    case PgTimeType::kTimestamp:
    case PgTimeType::kDate:
      return "timestamp";
    default:
      return "bigint";
  }
}

std::string PgTimeColumn::Param(WallTime t) const {
  const double s = std::chrono::duration<double>(t.time_since_epoch()).count();
  switch (format) {
    case TimeFormat::kUnixMillis:
      return std::to_string(static_cast<int64_t>(std::floor(s * 1000.0)));
    case TimeFormat::kNative:
      return FormatUtcMicros(t) + (type == PgTimeType::kTimestampTz ? "+00" : "");
    default:
      return std::to_string(static_cast<int64_t>(std::floor(s)));
  }
}

std::string PgTimeColumn::Seconds() const {
  switch (format) {
    case TimeFormat::kUnixMillis:
      return "(" + quoted + " / 1000.0)::float8";
    case TimeFormat::kNative:
      return "extract(epoch FROM " + quoted + ")::float8";
    default:
      return quoted + "::float8";
  }
}


}  // namespace retention

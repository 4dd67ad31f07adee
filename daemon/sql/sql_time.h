// How a time column's value becomes a time, shared by the SQL backends of
// the kinds that read one (rows, accounts): the same four formats
// (TimeFormat) read the same way everywhere. Pure, thread-safe.
#pragma once

#include <string>

#include "base/clock.h"

namespace retention {

enum class TimeFormat {
  kUnixSeconds,  // integer (or real) seconds since the epoch
  kUnixMillis,   // integer milliseconds since the epoch
  kIso8601,      // text, "YYYY-MM-DD HH:MM:SS" or "...THH:MM:SS[.fff][Z]", UTC
  kJulianDay,    // real, SQLite's julianday()
  // PostgreSQL's own time types: timestamptz, timestamp (taken as UTC) or
  // date (midnight UTC), as the catalog says. Not for SQLite.
  kNative,
};

// "unix", "unix_ms", "iso8601", "julianday", "native" and back.
const char* TimeFormatName(TimeFormat format);
TimeFormat ParseTimeFormat(const std::string& name);  // precondition: valid

// An SQL expression giving the value of the quoted column `column` as
// unix seconds (a real), or NULL when the value is not a time in `format`
// (NULL, text in a numeric format, a number or unparseable text in
// iso8601).
std::string SqlTimeSeconds(TimeFormat format, const std::string& column);

// `seconds` (from SqlTimeSeconds) as a WallTime, to the microsecond, clamped
// to what a WallTime holds (years 1678..2261): garbage such as the julian
// day of a year -4000 must not overflow.
WallTime WallTimeFromSeconds(double seconds);

// "2026-12-05 01:02:03.000004": `t` in UTC to the microsecond, as
// PostgreSQL's timestamp input reads it.
std::string FormatUtcMicros(WallTime t);

}  // namespace retention

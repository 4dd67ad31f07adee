#include "sql/sql_time.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace retention {
namespace {

struct NamedFormat {
  const char* name;
  TimeFormat format;
};
constexpr NamedFormat kFormats[] = {
    {"unix", TimeFormat::kUnixSeconds},
    {"unix_ms", TimeFormat::kUnixMillis},
    {"iso8601", TimeFormat::kIso8601},
    {"julianday", TimeFormat::kJulianDay},
    {"native", TimeFormat::kNative},
};

}  // namespace

const char* TimeFormatName(TimeFormat format) {
  for (const NamedFormat& f : kFormats) {
    if (f.format == format) return f.name;
  }
  return "?";
}

TimeFormat ParseTimeFormat(const std::string& name) {
  for (const NamedFormat& f : kFormats) {
    if (name == f.name) return f.format;
  }
  return TimeFormat::kUnixSeconds;
}

std::string SqlTimeSeconds(TimeFormat format, const std::string& column) {
  const std::string& c = column;
  const std::string number =
      "CASE WHEN typeof(" + c + ") IN ('integer', 'real') THEN ";
  switch (format) {
    case TimeFormat::kUnixMillis:
      return number + c + " / 1000.0 END";
    case TimeFormat::kJulianDay:
      return number + "(" + c + " - 2440587.5) * 86400.0 END";
    case TimeFormat::kIso8601:
      // julianday() of text that is not a date is NULL.
      return "CASE WHEN typeof(" + c + ") = 'text' THEN (julianday(" + c +
             ") - 2440587.5) * 86400.0 END";
    case TimeFormat::kNative:
      return "NULL";  // SQLite has no such type (refused at load)
    case TimeFormat::kUnixSeconds:
      break;
  }
  return number + c + " END";
}

WallTime WallTimeFromSeconds(double s) {
  constexpr double kLimit = 9.0e9;  // seconds; WallTime's range is ~9.2e9
  s = std::clamp(s, -kLimit, kLimit);
  return WallTime(std::chrono::microseconds(std::llround(s * 1e6)));
}

std::string FormatUtcMicros(WallTime t) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      t.time_since_epoch())
                      .count();
  const std::time_t secs = static_cast<std::time_t>(
      us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lld",
                static_cast<long long>(us - secs * 1000000LL));
  return buf;
}

}  // namespace retention

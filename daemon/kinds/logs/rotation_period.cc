#include "kinds/logs/rotation_period.h"

#include <cstdio>

#include "config/config_value.h"

namespace retention {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int ToInt(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// Splits "HH:MM", "HHMM" or "H"/"HH" into minutes; -1 when malformed.
int OffsetMinutes(std::string_view s) {
  std::string_view hours = s, mins;
  if (auto colon = s.find(':'); colon != std::string_view::npos) {
    hours = s.substr(0, colon);
    mins = s.substr(colon + 1);
    if (mins.size() != 2) return -1;
  } else if (s.size() == 4) {
    hours = s.substr(0, 2);
    mins = s.substr(2);
  }
  if (!Digits(hours) || hours.size() > 2 || (!mins.empty() && !Digits(mins))) {
    return -1;
  }
  const int m = mins.empty() ? 0 : ToInt(mins);
  return m < 60 ? ToInt(hours) * 60 + m : -1;
}

// Local time (UTC + offset) and back.
Duration Local(const RotationPeriod& p, WallTime t) {
  return t.time_since_epoch() + p.offset;
}
WallTime Utc(const RotationPeriod& p, Duration local) {
  return WallTime(local - p.offset);
}

Duration Floor(Duration d, Duration unit) {
  Duration q = d / unit * unit;
  return q > d ? q - unit : q;  // toward minus infinity before 1970
}

}  // namespace

StatusOr<RotationPeriod> ParseRotateEvery(std::string_view text) {
  RotationPeriod p;
  if (text == "hourly") {
    p.unit = PeriodUnit::kHourly;
  } else if (text == "daily") {
    p.unit = PeriodUnit::kDaily;
  } else if (text == "weekly") {
    p.unit = PeriodUnit::kWeekly;
  } else if (text == "monthly") {
    p.unit = PeriodUnit::kMonthly;
  } else {
    auto d = ParseDuration(text);
    if (!d.ok() || *d < std::chrono::seconds(1)) {
      return Status::InvalidArgument(
          "'" + std::string(text) +
          "' is not hourly, daily, weekly, monthly or a duration of at "
          "least 1s (such as 6h)");
    }
    p.unit = PeriodUnit::kFixed;
    p.length = *d;
  }
  return p;
}

StatusOr<minutes> ParseUtcOffset(std::string_view text) {
  if (text == "UTC" || text == "Z" || text == "utc") return minutes(0);
  const int m = text.size() > 1 && (text[0] == '+' || text[0] == '-')
                    ? OffsetMinutes(text.substr(1))
                    : -1;
  if (m < 0 || m > 18 * 60) {
    return Status::InvalidArgument(
        "'" + std::string(text) +
        "' is not UTC or a fixed offset such as +02:00 or -05:30 (time zone "
        "names are not supported: this build has no time zone database)");
  }
  return minutes(text[0] == '-' ? -m : m);
}

WallTime PeriodStart(const RotationPeriod& p, WallTime t) {
  const Duration local = Local(p, t);
  switch (p.unit) {
    case PeriodUnit::kHourly:
      return Utc(p, Floor(local, std::chrono::hours(1)));
    case PeriodUnit::kDaily:
      return Utc(p, Floor(local, days(1)));
    case PeriodUnit::kWeekly: {
      const sys_days day(std::chrono::floor<days>(local));
      const auto since_monday = std::chrono::weekday(day) - std::chrono::Monday;
      return Utc(p, (day - since_monday).time_since_epoch());
    }
    case PeriodUnit::kMonthly: {
      const std::chrono::year_month_day ymd(
          sys_days(std::chrono::floor<days>(local)));
      return Utc(p, sys_days(ymd.year() / ymd.month() / 1).time_since_epoch());
    }
    case PeriodUnit::kFixed:
      return Utc(p, Floor(local, p.length));
  }
  return t;
}

WallTime NextPeriodStart(const RotationPeriod& p, WallTime t) {
  const WallTime start = PeriodStart(p, t);
  switch (p.unit) {
    case PeriodUnit::kHourly:
      return start + std::chrono::hours(1);
    case PeriodUnit::kDaily:
      return start + days(1);
    case PeriodUnit::kWeekly:
      return start + std::chrono::weeks(1);
    case PeriodUnit::kMonthly: {
      const std::chrono::year_month_day ymd(
          sys_days(std::chrono::floor<days>(Local(p, start))));
      const auto next = ymd.year() / ymd.month() / 1 + std::chrono::months(1);
      return Utc(p, sys_days(next).time_since_epoch());
    }
    case PeriodUnit::kFixed:
      return start + p.length;
  }
  return t;
}

bool CalendarDue(const RotationPeriod& p, WallTime last, WallTime now) {
  return PeriodStart(p, now) > last;
}

std::string PeriodName(const RotationPeriod& p) {
  switch (p.unit) {
    case PeriodUnit::kHourly:
      return "hourly";
    case PeriodUnit::kDaily:
      return "daily";
    case PeriodUnit::kWeekly:
      return "weekly";
    case PeriodUnit::kMonthly:
      return "monthly";
    case PeriodUnit::kFixed:
      return FormatDuration(p.length);
  }
  return "";
}

std::string FormatPeriodTime(const RotationPeriod& p, WallTime t) {
  const Duration local = Local(p, t);
  const sys_days day(std::chrono::floor<days>(local));
  const std::chrono::year_month_day ymd(day);
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                        local - day.time_since_epoch())
                        .count();
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d", static_cast<int>(ymd.year()),
      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
      static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60));
  std::string out = buf;
  // Periods shorter than a minute begin within one.
  if (secs % 60 != 0) {
    std::snprintf(buf, sizeof buf, ":%02d", static_cast<int>(secs % 60));
    out += buf;
  }
  if (p.offset == minutes(0)) return out + "Z";
  const int off = static_cast<int>(p.offset.count());
  const int abs = off < 0 ? -off : off;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', abs / 60,
                abs % 60);
  return out + buf;
}

}  // namespace retention

#include "kinds/logs/rotation_period.h"

#include <cstdio>

#include "config/config_value.h"

namespace retention {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Local time in p's zone and back.
Duration Local(const RotationPeriod& p, WallTime t) {
  return p.zone.ToLocal(t);
}
WallTime Utc(const RotationPeriod& p, Duration local) {
  return p.zone.FromLocal(local);
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

// In local time, so that a day across a daylight-saving change is that
// day, 23 or 25 hours long.
WallTime NextPeriodStart(const RotationPeriod& p, WallTime t) {
  const Duration start = Local(p, PeriodStart(p, t));
  switch (p.unit) {
    case PeriodUnit::kHourly:
      return Utc(p, Floor(start, std::chrono::hours(1)) + std::chrono::hours(1));
    case PeriodUnit::kDaily:
      return Utc(p, Floor(start, days(1)) + days(1));
    case PeriodUnit::kWeekly:
      return Utc(p, Floor(start, days(1)) + std::chrono::weeks(1));
    case PeriodUnit::kMonthly: {
      const std::chrono::year_month_day ymd(
          sys_days(std::chrono::floor<days>(start)));
      const auto next = ymd.year() / ymd.month() / 1 + std::chrono::months(1);
      return Utc(p, sys_days(next).time_since_epoch());
    }
    case PeriodUnit::kFixed:
      return Utc(p, Floor(start, p.length) + p.length);
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
  return out + p.zone.SuffixAt(t);
}

}  // namespace retention

// RotationPeriod: the calendar of `rotate_every` (hourly, daily, weekly,
// monthly, or a fixed DURATION) in the time zone of `rotate_timezone` (UTC,
// a fixed offset or an IANA name: base/time_zone.h), and the arithmetic the
// planner and the scheduler need: which period a time falls in, when the
// next one begins, and whether a file last rotated at some time is due now.
//
// Periods are aligned to the local calendar of the zone: an hour at :00,
// a day at 00:00, a week on Monday 00:00, a month on its 1st at 00:00; a
// DURATION is aligned to local midnight of 1970-01-01 (6h with UTC: 00:00,
// 06:00, 12:00, 18:00). Across a daylight-saving change a day is 23 or 25
// hours long; a local midnight that does not exist begins its day when the
// gap ends, and an hour that occurs twice is one period.
//
// A file is due once per period, however many periods passed since its
// last rotation (a daemon down for three days rotates a daily file once).
// Pure functions, thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "base/time_zone.h"

namespace retention {

enum class PeriodUnit { kHourly, kDaily, kWeekly, kMonthly, kFixed };

struct RotationPeriod {
  PeriodUnit unit = PeriodUnit::kDaily;
  Duration length{};  // kFixed only: > 0
  TimeZone zone;      // UTC unless rotate_timezone says otherwise
};

// "hourly" | "daily" | "weekly" | "monthly" | a duration ("6h", "90m").
// kInvalidArgument naming the accepted values otherwise; a duration must be
// at least one second.
StatusOr<RotationPeriod> ParseRotateEvery(std::string_view text);

// The start of the period holding `t`.
WallTime PeriodStart(const RotationPeriod& p, WallTime t);
// The start of the period after the one holding `t` (> t).
WallTime NextPeriodStart(const RotationPeriod& p, WallTime t);

// True when a file last rotated at `last` is due at `now`: a period began
// after `last` and at or before `now`.
bool CalendarDue(const RotationPeriod& p, WallTime last, WallTime now);

// "hourly", "daily", "weekly", "monthly", or the duration ("6h").
std::string PeriodName(const RotationPeriod& p);

// `t` as local minutes in p's zone: "2026-12-05T00:00Z" for UTC,
// "2026-12-05T00:00+01:00" otherwise (the offset in effect at t); with ":SS" when the seconds are not
// zero (periods shorter than a minute).
std::string FormatPeriodTime(const RotationPeriod& p, WallTime t);

}  // namespace retention

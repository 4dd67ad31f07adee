// The calendar arithmetic of rotate_every (kinds/logs/rotation_period.h):
// period starts and boundaries in UTC and fixed offsets (IANA zones:
// tests/os/time_zone_test.cc), months of every
// length, weeks from Monday, DURATION periods aligned to the epoch, and
// one rotation for any number of missed periods.
#include "kinds/logs/rotation_period.h"

#include <catch2/catch.hpp>

namespace retention::rotation_period_test {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A UTC time from its calendar fields.
WallTime At(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  const std::chrono::sys_days day{std::chrono::year(y) / mo / d};
  return WallTime(day.time_since_epoch() + hours(h) + minutes(mi) + seconds(s));
}

RotationPeriod Period(const std::string& every,
                      const std::string& zone = "UTC") {
  auto p = ParseRotateEvery(every);
  REQUIRE(p.ok());
  auto tz = TimeZone::Parse(zone);
  REQUIRE(tz.ok());
  p->zone = *tz;
  return *p;
}

TEST_CASE("a daily period begins at midnight UTC and ends at the next") {
  const RotationPeriod p = Period("daily");
  CHECK(PeriodStart(p, At(2026, 12, 5, 13, 7)) == At(2026, 12, 5));
  CHECK(PeriodStart(p, At(2026, 12, 5)) == At(2026, 12, 5));
  CHECK(PeriodStart(p, At(2026, 12, 4, 23, 59, 59)) == At(2026, 12, 4));
  CHECK(NextPeriodStart(p, At(2026, 12, 5)) == At(2026, 12, 6));
  CHECK(NextPeriodStart(p, At(2026, 12, 31, 23, 59)) == At(2027, 1, 1));
}

TEST_CASE("an hourly period begins on the hour") {
  const RotationPeriod p = Period("hourly");
  CHECK(PeriodStart(p, At(2026, 12, 5, 13, 59, 59)) == At(2026, 12, 5, 13));
  CHECK(NextPeriodStart(p, At(2026, 12, 5, 23, 30)) == At(2026, 12, 6));
}

TEST_CASE("a weekly period begins on Monday at midnight") {
  const RotationPeriod p = Period("weekly");
  // 2026-12-07 is a Monday.
  CHECK(PeriodStart(p, At(2026, 12, 7)) == At(2026, 12, 7));
  CHECK(PeriodStart(p, At(2026, 12, 13, 23, 59)) == At(2026, 12, 7));
  CHECK(PeriodStart(p, At(2026, 12, 6, 12)) == At(2026, 11, 30));
  CHECK(NextPeriodStart(p, At(2026, 12, 9)) == At(2026, 12, 14));
  // Across a year's end: 2026-12-28 is a Monday.
  CHECK(NextPeriodStart(p, At(2026, 12, 31)) == At(2027, 1, 4));
}

TEST_CASE("a monthly period follows months of 28, 29, 30 and 31 days") {
  const RotationPeriod p = Period("monthly");
  CHECK(PeriodStart(p, At(2027, 2, 28, 23)) == At(2027, 2, 1));
  CHECK(NextPeriodStart(p, At(2027, 2, 10)) == At(2027, 3, 1));
  CHECK(NextPeriodStart(p, At(2028, 2, 10)) == At(2028, 3, 1));
  CHECK(NextPeriodStart(p, At(2028, 2, 29, 23, 59)) == At(2028, 3, 1));
  CHECK(NextPeriodStart(p, At(2026, 4, 30)) == At(2026, 5, 1));
  CHECK(NextPeriodStart(p, At(2026, 1, 31)) == At(2026, 2, 1));
  CHECK(NextPeriodStart(p, At(2026, 12, 31, 23)) == At(2027, 1, 1));
}

TEST_CASE("periods in a fixed offset follow the local calendar") {
  const RotationPeriod east = Period("daily", "+02:00");
  // Local midnight of 2026-12-05 at +02:00 is 22:00 UTC the day before.
  CHECK(PeriodStart(east, At(2026, 12, 4, 23)) == At(2026, 12, 4, 22));
  CHECK(PeriodStart(east, At(2026, 12, 4, 21)) == At(2026, 12, 3, 22));
  CHECK(NextPeriodStart(east, At(2026, 12, 4, 21)) == At(2026, 12, 4, 22));
  const RotationPeriod west = Period("monthly", "-05:30");
  CHECK(NextPeriodStart(west, At(2026, 12, 15)) == At(2027, 1, 1, 5, 30));
  CHECK(PeriodStart(west, At(2027, 1, 1, 5)) == At(2026, 12, 1, 5, 30));
  const RotationPeriod weekly = Period("weekly", "+14:00");
  // Monday 2026-12-07 00:00 at +14:00 is Sunday 10:00 UTC.
  CHECK(PeriodStart(weekly, At(2026, 12, 6, 11)) == At(2026, 12, 6, 10));
}

TEST_CASE("a duration period is aligned to the epoch, not to the last run") {
  const RotationPeriod p = Period("6h");
  CHECK(PeriodStart(p, At(2026, 12, 5, 13, 7)) == At(2026, 12, 5, 12));
  CHECK(NextPeriodStart(p, At(2026, 12, 5, 13, 7)) == At(2026, 12, 5, 18));
  CHECK(NextPeriodStart(p, At(2026, 12, 5, 18)) == At(2026, 12, 6));
  const RotationPeriod odd = Period("7m");
  const WallTime start = PeriodStart(odd, At(2026, 12, 5, 13, 7, 30));
  CHECK(start.time_since_epoch() % minutes(7) == Duration::zero());
  CHECK(NextPeriodStart(odd, start) - start == minutes(7));
}

TEST_CASE("a file last rotated three periods ago is due once") {
  const RotationPeriod p = Period("daily");
  const WallTime last = At(2026, 12, 1, 0, 0, 3);
  CHECK_FALSE(CalendarDue(p, last, At(2026, 12, 1, 23, 59, 59)));
  CHECK(CalendarDue(p, last, At(2026, 12, 4, 9)));
  // Rotated then: not due again until the next boundary.
  const WallTime rotated = At(2026, 12, 4, 9);
  CHECK_FALSE(CalendarDue(p, rotated, At(2026, 12, 4, 23, 59, 59)));
  CHECK(CalendarDue(p, rotated, At(2026, 12, 5)));
}

TEST_CASE("rotate_every accepts the calendar words and durations only") {
  CHECK(ParseRotateEvery("monthly")->unit == PeriodUnit::kMonthly);
  CHECK(ParseRotateEvery("90m")->length == minutes(90));
  CHECK_FALSE(ParseRotateEvery("fortnightly").ok());
  CHECK_FALSE(ParseRotateEvery("0s").ok());
  CHECK_FALSE(ParseRotateEvery("").ok());
}

TEST_CASE("rotate_timezone accepts UTC and fixed offsets") {
  const WallTime t = At(2026, 12, 5);
  CHECK(TimeZone::Parse("UTC")->OffsetAt(t) == minutes(0));
  CHECK(TimeZone::Parse("UTC")->utc());
  CHECK(TimeZone::Parse("+02:00")->OffsetAt(t) == minutes(120));
  CHECK(TimeZone::Parse("-0530")->OffsetAt(t) == minutes(-330));
  CHECK(TimeZone::Parse("+2")->OffsetAt(t) == minutes(120));
  CHECK_FALSE(TimeZone::Parse("+19:00").ok());
  CHECK_FALSE(TimeZone::Parse("+02:60").ok());
  CHECK_FALSE(TimeZone::Parse("02:00").ok());
  CHECK_FALSE(TimeZone::Parse("").ok());
  // Names are looked up in the system's database (tests/os/
  // time_zone_test.cc); a path never is.
  CHECK_FALSE(TimeZone::Parse("../../etc/passwd").ok());
  CHECK_FALSE(TimeZone::Parse("/etc/localtime").ok());
}

TEST_CASE("a period start is written in the period's offset") {
  CHECK(FormatPeriodTime(Period("daily"), At(2026, 12, 5)) ==
        "2026-12-05T00:00Z");
  CHECK(FormatPeriodTime(Period("daily", "+02:00"), At(2026, 12, 4, 22)) ==
        "2026-12-05T00:00+02:00");
  CHECK(FormatPeriodTime(Period("daily", "-05:30"), At(2026, 12, 5, 5, 30)) ==
        "2026-12-05T00:00-05:30");
  CHECK(PeriodName(Period("6h")) == "6h");
  CHECK(FormatPeriodTime(Period("2s"), At(2026, 12, 5, 2, 37, 38)) ==
        "2026-12-05T02:37:38Z");
}

}  // namespace
}  // namespace retention::rotation_period_test

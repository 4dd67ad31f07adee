// rotate_timezone with IANA names, read from the system's time zone
// database (base/time_zone.h; package tzdata): offsets that follow
// daylight saving, periods of 23 and 25 hours, the gap and the repeated
// hour, unknown names refused with a clear error.
#include "base/time_zone.h"

#include <catch2/catch.hpp>

#include "kinds/logs/rotation_period.h"

namespace retention::time_zone_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

WallTime At(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  const std::chrono::sys_days day{std::chrono::year(y) / mo / d};
  return WallTime(day.time_since_epoch() + hours(h) + minutes(mi));
}

RotationPeriod Period(const std::string& every, const std::string& zone) {
  auto p = ParseRotateEvery(every);
  REQUIRE(p.ok());
  auto tz = TimeZone::Parse(zone);
  INFO(tz.status().ToString());
  REQUIRE(tz.ok());
  p->zone = *tz;
  return *p;
}

TEST_CASE("a named zone's offset follows daylight saving", "[timezone]") {
  auto paris = TimeZone::Parse("Europe/Paris");
  REQUIRE(paris.ok());
  CHECK(paris->OffsetAt(At(2026, 1, 15)) == hours(1));
  CHECK(paris->OffsetAt(At(2026, 7, 15)) == hours(2));
  CHECK(paris->SuffixAt(At(2026, 7, 15)) == "+02:00");
  CHECK(paris->name() == "Europe/Paris");
  auto kolkata = TimeZone::Parse("Asia/Kolkata");
  REQUIRE(kolkata.ok());
  CHECK(kolkata->OffsetAt(At(2026, 7, 15)) == minutes(330));
}

TEST_CASE("an unknown zone name is refused, naming the database",
          "[timezone]") {
  auto bad = TimeZone::Parse("Europe/Atlantis");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(bad.status().message(),
             Catch::Matchers::Contains("Europe/Atlantis") &&
                 Catch::Matchers::Contains("/usr/share/zoneinfo"));
}

TEST_CASE("daily periods in Paris begin at local midnight, 23 and 25 hours "
          "long across the changes",
          "[timezone]") {
  const RotationPeriod p = Period("daily", "Europe/Paris");
  // Winter: midnight in Paris is 23:00 UTC the day before.
  CHECK(PeriodStart(p, At(2026, 1, 15, 12)) == At(2026, 1, 14, 23));
  CHECK(FormatPeriodTime(p, At(2026, 1, 14, 23)) == "2026-01-15T00:00+01:00");
  // Summer: 22:00 UTC.
  CHECK(PeriodStart(p, At(2026, 7, 15, 12)) == At(2026, 7, 14, 22));
  // 2026-03-29 (clocks go forward at 02:00) lasts 23 hours.
  const WallTime spring = PeriodStart(p, At(2026, 3, 29, 12));
  CHECK(spring == At(2026, 3, 28, 23));
  CHECK(NextPeriodStart(p, At(2026, 3, 29, 12)) - spring == hours(23));
  // 2026-10-25 (clocks go back at 03:00) lasts 25 hours.
  const WallTime autumn = PeriodStart(p, At(2026, 10, 25, 12));
  CHECK(autumn == At(2026, 10, 24, 22));
  CHECK(NextPeriodStart(p, At(2026, 10, 25, 12)) - autumn == hours(25));
}

TEST_CASE("an hour that does not exist is skipped and one that occurs twice "
          "is one period",
          "[timezone]") {
  const RotationPeriod p = Period("hourly", "Europe/Paris");
  // Spring: 02:00-03:00 local does not exist; 01:00 local (00:00 UTC) is
  // followed by 03:00 local (01:00 UTC).
  CHECK(NextPeriodStart(p, At(2026, 3, 29, 0, 30)) == At(2026, 3, 29, 1));
  // Autumn: 02:00-03:00 local occurs at 00:00 and 01:00 UTC; both belong
  // to the period that began at the first.
  CHECK(PeriodStart(p, At(2026, 10, 25, 1, 30)) == At(2026, 10, 25, 0));
  CHECK_FALSE(CalendarDue(p, At(2026, 10, 25, 0, 10), At(2026, 10, 25, 1, 30)));
  CHECK(NextPeriodStart(p, At(2026, 10, 25, 1, 30)) == At(2026, 10, 25, 2));
  CHECK(CalendarDue(p, At(2026, 10, 25, 1, 30), At(2026, 10, 25, 2)));
}

TEST_CASE("a month in New York begins at local midnight of the 1st",
          "[timezone]") {
  const RotationPeriod p = Period("monthly", "America/New_York");
  CHECK(PeriodStart(p, At(2026, 7, 15)) == At(2026, 7, 1, 4));
  CHECK(NextPeriodStart(p, At(2026, 7, 15)) == At(2026, 8, 1, 4));
  CHECK(NextPeriodStart(p, At(2026, 11, 15)) == At(2026, 12, 1, 5));
}

}  // namespace
}  // namespace retention::time_zone_test

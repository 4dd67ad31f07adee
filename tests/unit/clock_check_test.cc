#include "clock_check.h"

#include <catch2/catch.hpp>

namespace retention {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

ClockReading At(int64_t wall_s, Duration boot, std::string boot_id = "b1") {
  return {FromUnixSeconds(wall_s), boot, std::move(boot_id)};
}

TEST_CASE("the clock check judges wall movement against boot time") {
  struct Case {
    const char* what;
    ClockReading now;
    bool jumped;
  };
  const int64_t t0 = 1767225600;
  const ClockReading last = At(t0, hours(5));
  const Case cases[] = {
      {"time passed normally", At(t0 + 3600 * 24, hours(29)), false},
      {"small NTP slew", At(t0 + 3600 + 2, hours(6)), false},
      {"wall +59m", At(t0 + 3600 + 59 * 60, hours(6)), false},
      {"wall +1h", At(t0 + 7200, hours(6)), true},
      {"wall +1y", At(t0 + 3600 + 365LL * 86400, hours(6)), true},
      {"wall -1y", At(t0 + 3600 - 365LL * 86400, hours(6)), true},
      {"wall stood still for 2h", At(t0, hours(7)), true},
      {"new boot, wall later", At(t0 + 30LL * 86400, minutes(1), "b2"), false},
      {"new boot, wall 1y earlier", At(t0 - 365LL * 86400, minutes(1), "b2"),
       true},
      {"new boot, wall 10m earlier", At(t0 - 600, minutes(1), "b2"), false},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    ClockVerdict v = CheckClock(last, c.now, hours(1));
    CHECK(v.jumped == c.jumped);
    CHECK(v.reason.empty() != c.jumped);
  }
}

TEST_CASE("a clock jump's reason names its size and direction") {
  const int64_t t0 = 1767225600;
  ClockVerdict v = CheckClock(
      At(t0, hours(5)), At(t0 + 3600 + 365LL * 86400, hours(6)), hours(1));
  CHECK(v.reason.find("+1y") != std::string::npos);
  CHECK(v.skew == hours(24 * 365));
}

TEST_CASE("a boot clock that went backwards counts as a new boot") {
  const int64_t t0 = 1767225600;
  ClockVerdict v =
      CheckClock(At(t0, hours(5)), At(t0 + 60, seconds(30)), hours(1));
  CHECK_FALSE(v.jumped);
}

}  // namespace
}  // namespace retention

namespace retention {
namespace {

TEST_CASE("a clock jump's reason is rounded to whole seconds") {
  const int64_t t0 = 1767225600;
  ClockReading last{FromUnixSeconds(t0), std::chrono::hours(5), "b1"};
  ClockReading now{
      FromUnixSeconds(t0 + 365LL * 86400) + std::chrono::microseconds(1500),
      std::chrono::hours(5) + std::chrono::microseconds(300), "b1"};
  ClockVerdict v = CheckClock(last, now, std::chrono::hours(1));
  CHECK(v.reason.find("moved +1y against") != std::string::npos);
  now.wall -= std::chrono::microseconds(3000);
  v = CheckClock(last, now, std::chrono::hours(1));
  CHECK(v.reason.find("moved +1y against") != std::string::npos);
}

}  // namespace
}  // namespace retention

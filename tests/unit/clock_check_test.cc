#include "core/clock_check.h"

#include <catch2/catch.hpp>

namespace retention::clock_check_test {
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
}  // namespace retention::clock_check_test

namespace retention::clock_check_test {
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
}  // namespace retention::clock_check_test

#include <random>

#include "fakes/fake_clock.h"

namespace retention::clock_check_test {
namespace {

using std::chrono::nanoseconds;

// Read costs of a few tens of nanoseconds, different for every read, as
// reading a clock costs on a real machine; seeded, so every run is the same.
std::vector<Duration> JitteryReadCosts(std::mt19937& rng) {
  std::uniform_int_distribution<int> ns(0, 120);
  std::vector<Duration> costs;
  for (int i = 0; i < 7; ++i) costs.push_back(nanoseconds(ns(rng)));
  return costs;
}

// The brakes out of `trials` for a wall jump of `jump`, two minutes after the
// baseline reading, read with jittery costs.
int BrakesFor(Duration jump, int trials) {
  std::mt19937 rng(14);
  int braked = 0;
  for (int i = 0; i < trials; ++i) {
    FakeClock clock;
    clock.SetReadCosts(JitteryReadCosts(rng));
    const ClockReading last = ReadClock(clock);
    clock.Advance(minutes(2));
    clock.JumpWall(jump);
    clock.SetReadCosts(JitteryReadCosts(rng));
    braked += CheckClock(last, ReadClock(clock), hours(1)).jumped ? 1 : 0;
  }
  return braked;
}

TEST_CASE("reading wall and boot time separately misses an exact jump",
          "[clock]") {
  // The bug this fixes: wall then boot, a boot read that took 106 ns longer
  // than the baseline's, and a +1h jump measured as 1h minus 106 ns.
  FakeClock clock;
  const ClockReading last{clock.Now(), clock.BootNow(), clock.BootId(), {}};
  clock.Advance(minutes(2));
  clock.JumpWall(hours(1));
  clock.SetReadCosts({nanoseconds(0), nanoseconds(106)});
  const ClockReading now{clock.Now(), clock.BootNow(), clock.BootId(), {}};
  const ClockVerdict v = CheckClock(last, now, hours(1));
  CHECK(v.skew == hours(1) - nanoseconds(106));  // under the limit...
  CHECK(v.jumped);  // ...and braked all the same: the doubt is the operator's
}

TEST_CASE("a wall clock jump of exactly the limit brakes 100 of 100 times",
          "[clock]") {
  CHECK(BrakesFor(hours(1), 100) == 100);
  CHECK(BrakesFor(-hours(1), 100) == 100);
}

TEST_CASE("a jump clearly under the limit never brakes", "[clock]") {
  CHECK(BrakesFor(hours(1) - seconds(1), 100) == 0);
  CHECK(BrakesFor(hours(1) - std::chrono::milliseconds(10), 100) == 0);
  CHECK(BrakesFor(-(hours(1) - seconds(1)), 100) == 0);
}

TEST_CASE("a clock reading keeps the tightest of its boot, wall, boot tries",
          "[clock]") {
  FakeClock clock;
  const Duration offset = clock.Now().time_since_epoch() - clock.BootNow();
  // Costs per read, in the order boot, wall, boot: gaps of 1000, 20, 600 and
  // 800 ns; the second try is the tightest, and symmetric.
  clock.SetReadCosts({nanoseconds(0), nanoseconds(500), nanoseconds(500),
                      nanoseconds(0), nanoseconds(10), nanoseconds(10),
                      nanoseconds(0), nanoseconds(300), nanoseconds(300),
                      nanoseconds(0), nanoseconds(400), nanoseconds(400)});
  const ClockReading r = ReadClock(clock);
  CHECK(r.uncertainty == nanoseconds(10));
  // The wall time is attributed to the boot midpoint: exact here.
  CHECK(r.wall.time_since_epoch() - r.boot == offset);
  CHECK(r.boot_id == clock.BootId());
}

TEST_CASE("a clock reading with free reads has no uncertainty", "[clock]") {
  FakeClock clock;
  const ClockReading r = ReadClock(clock);
  CHECK(r.uncertainty == Duration::zero());
  CHECK(r.wall == clock.Now());
  CHECK(r.boot == clock.BootNow());
}

}  // namespace
}  // namespace retention::clock_check_test

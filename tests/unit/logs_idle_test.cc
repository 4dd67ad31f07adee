// A log set's NextWake, which the main loop puts a watched set's next run
// off to: a settled set (its plan did nothing) waits for its next deadline,
// a set with something to do or in flight is looked at every `every`.
#include <catch2/catch.hpp>

#include "unit/logs_fixture.h"

namespace retention::logs_idle_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr char kQuiet[] =
    "max_file_size = 1M\nmax_age = 7d\ncompress = none\n";

TEST_CASE("a settled log set wakes when its oldest archive reaches max_age") {
  LogsFixture f;
  f.Build(kQuiet);
  f.AddLive("a line\n");
  f.AddArchive("app.log-20251231T000000Z", 10);  // a day old
  // 7 days old in 30 minutes: sooner than the hourly check.
  f.AddArchive("app.log-20251225T003000Z", 10);
  const Plan plan = f.MakePlan();
  CHECK(plan.actions.empty());
  REQUIRE(plan.kept);
  CHECK(plan.kept->count == 2);
  REQUIRE(plan.kept->oldest);
  const WallTime now = f.clock.Now();
  const auto wake = f.policy->NextWake(now);
  REQUIRE(wake);
  CHECK(*wake == now + minutes(30));
}

TEST_CASE("a settled log set without archives waits the hourly check") {
  LogsFixture f;
  f.Build(kQuiet);
  f.AddLive("a line\n");
  CHECK(f.MakePlan().actions.empty());
  const WallTime now = f.clock.Now();
  CHECK(f.policy->NextWake(now) == now + LogsPolicy::kSettledCheck);
}

TEST_CASE("a log set with something to do is looked at again after every") {
  LogsFixture f;
  f.Build("max_file_size = 4K\nmax_age = 7d\ncompress = none\n");
  f.AddLive(std::string(10000, 'x') + "\n");
  CHECK_FALSE(f.MakePlan().actions.empty());  // a rotation
  const WallTime now = f.clock.Now();
  CHECK(f.policy->NextWake(now) == now + minutes(1));
}

TEST_CASE("a deadline reached is not waited for again") {
  LogsFixture f;
  f.Build(kQuiet);
  f.AddLive("a line\n");
  f.AddArchive("app.log-20251225T003000Z", 10);  // max_age in 30 minutes
  CHECK(f.MakePlan().actions.empty());
  f.clock.Advance(minutes(30));  // the run it calls for is starting
  const WallTime now = f.clock.Now();
  CHECK(f.policy->NextWake(now) == now + minutes(1));
}

TEST_CASE("a set without a size cap is looked at every `every`") {
  LogsFixture f;
  f.Build("max_age = 7d\ncompress = none\n");
  f.AddLive("a line\n");
  CHECK(f.MakePlan().actions.empty());
  const WallTime now = f.clock.Now();
  CHECK(f.policy->NextWake(now) == now + minutes(1));
}

}  // namespace
}  // namespace retention::logs_idle_test

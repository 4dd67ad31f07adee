#include "core/scheduler.h"

#include <catch2/catch.hpp>
#include <set>

namespace retention::scheduler_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
constexpr Duration kDay = hours(24);

TEST_CASE("a new policy is first due within its jitter of now") {
  Scheduler s;
  s.Set("files.a", hours(1), hours(5));
  REQUIRE(s.NextDue().has_value());
  CHECK(*s.NextDue() >= hours(5));
  CHECK(*s.NextDue() < hours(5) + seconds(30));
  CHECK(s.TakeDue(hours(5) + seconds(30)) ==
        std::vector<std::string>{"files.a"});
}

TEST_CASE("a missed daily run fires once, not 395 times") {
  Scheduler s;
  s.Set("files.a", kDay, Duration::zero());
  CHECK(s.TakeDue(kDay).size() == 1);
  CHECK(s.TakeDue(kDay * 396).size() == 1);
  CHECK(s.TakeDue(kDay * 396).empty());
  CHECK(*s.NextDue() == kDay * 397);
}

TEST_CASE("nothing is due before its deadline") {
  Scheduler s;
  s.Set("files.a", minutes(1), Duration::zero());
  s.TakeDue(minutes(1));
  CHECK(s.TakeDue(minutes(2) - seconds(1)).empty());
  CHECK(s.TakeDue(minutes(2)).size() == 1);
}

TEST_CASE("policies with the same period are spread by jitter") {
  std::set<int64_t> offsets;
  for (const char* id : {"files.a", "files.b", "files.c", "rows.d", "logs.e"}) {
    Duration j = Scheduler::Jitter(id, hours(1));
    CHECK(j >= Duration::zero());
    CHECK(j < seconds(30));
    offsets.insert(j.count());
  }
  CHECK(offsets.size() > 1);
  CHECK(Scheduler::Jitter("files.a", hours(1)) ==
        Scheduler::Jitter("files.a", hours(1)));
  CHECK(Scheduler::Jitter("files.a", seconds(5)) <
        std::chrono::milliseconds(500));
}

TEST_CASE("due policies come back earliest deadline first") {
  Scheduler s;
  s.Set("late", hours(2), Duration::zero());
  s.Set("early", minutes(1), Duration::zero());
  s.TakeDue(hours(1));  // both ran once
  auto due = s.TakeDue(hours(3));
  REQUIRE(due.size() == 2);
  CHECK(due[0] == "early");
  CHECK(due[1] == "late");
}

TEST_CASE(
    "a reload keeps deadlines of unchanged policies and drops removed ones") {
  Scheduler s;
  s.Set("keep", hours(1), Duration::zero());
  s.Set("gone", minutes(1), Duration::zero());
  s.TakeDue(hours(1));
  Duration before = *s.NextDue();
  s.Set("keep", hours(1), hours(1) + minutes(5));  // unchanged period
  s.Retain({"keep"});
  CHECK(*s.NextDue() == hours(2));
  CHECK(before == hours(1) + minutes(1));
  s.Set("keep", hours(3), hours(1) + minutes(5));  // period changed
  CHECK(*s.NextDue() < hours(1) + minutes(6));
}

TEST_CASE("an operator can make a policy due at once") {
  Scheduler s;
  s.Set("files.a", kDay, Duration::zero());
  s.TakeDue(kDay);
  s.MakeDue("files.a", kDay + hours(1));
  CHECK(s.TakeDue(kDay + hours(1)) == std::vector<std::string>{"files.a"});
}

TEST_CASE("an empty scheduler has no deadline") {
  Scheduler s;
  CHECK_FALSE(s.NextDue().has_value());
  CHECK(s.TakeDue(kDay).empty());
}

}  // namespace
}  // namespace retention::scheduler_test

namespace retention::scheduler_test {
namespace {

TEST_CASE("a calendar boundary brings a policy's next run forward once") {
  Scheduler s;
  s.Set("logs.a", std::chrono::minutes(10), Duration::zero());
  s.TakeDue(std::chrono::minutes(1));  // next: 11m
  s.WakeAt("logs.a", std::chrono::minutes(5));
  CHECK(*s.NextDueOf("logs.a") == std::chrono::minutes(5));
  s.WakeAt("logs.a", std::chrono::minutes(8));  // later: no change
  CHECK(*s.NextDueOf("logs.a") == std::chrono::minutes(5));
  CHECK(s.TakeDue(std::chrono::minutes(5) - std::chrono::seconds(1)).empty());
  CHECK(s.TakeDue(std::chrono::minutes(5)).size() == 1);
  CHECK(*s.NextDueOf("logs.a") == std::chrono::minutes(15));
  s.WakeAt("files.unknown", Duration::zero());  // ignored
  CHECK(s.NextDue() == std::chrono::minutes(15));
}

}  // namespace
}  // namespace retention::scheduler_test

namespace retention::scheduler_test {
namespace {

TEST_CASE("a settled policy is put off past its every, until its deadline") {
  Scheduler s;
  s.Set("logs.a", minutes(1), Duration::zero());
  CHECK(s.TakeDue(minutes(1)).size() == 1);
  s.SetNext("logs.a", hours(1));  // its next deadline, after a run
  CHECK(s.TakeDue(minutes(59)).empty());
  CHECK(*s.NextDue() == hours(1));
  s.WakeAt("logs.a", minutes(30));  // a calendar boundary still comes first
  CHECK(*s.NextDue() == minutes(30));
  s.SetNext("nobody", Duration::zero());  // unknown: ignored
  CHECK(*s.NextDue() == minutes(30));
}

}  // namespace
}  // namespace retention::scheduler_test

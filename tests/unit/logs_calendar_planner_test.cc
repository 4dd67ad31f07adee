// The logs planner's calendar rotation (rotate_every, min_size,
// rotate_empty) on hand-made snapshots and a hand-moved `now`: due once per
// period after the newest archive, skipped for small and empty files,
// combined with max_file_size. Nothing here touches a filesystem.
#include <catch2/catch.hpp>

#include "kinds/logs/logs_planner.h"
#include "unit/logs_entry.h"

namespace retention::logs_calendar_planner_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const std::string kDir = "/var/log/app";
const std::string kLivePath = kDir + "/access.log";
// 2026-12-05T00:00:00Z, a daily boundary.
const WallTime kMidnight = FromUnixSeconds(1796428800);

LogsRule CalendarRule(const std::string& every = "daily") {
  LogsRule r;
  r.policy = "logs.access";
  r.paths = {kLivePath};
  auto period = ParseRotateEvery(every);
  REQUIRE(period.ok());
  r.rotate_every = *period;
  r.method = RotateMethod::kReopen;
  return r;
}

LogsEntry Entry(const std::string& name, uint64_t size, WallTime mtime) {
  return MakeLogsEntry(kDir, name, size, mtime);
}

// The live file (`size` bytes) and one archive rotated at `last`.
LogSetSnapshot Snapshot(uint64_t size, WallTime last) {
  LogSetSnapshot s;
  s.live.push_back(Entry("access.log", size, last));
  s.archives.push_back(Entry(
      FormatArchiveName("access.log", last, 0, Compression::kZstd), 10, last));
  return s;
}

std::vector<std::string> Rotations(const Plan& plan) {
  std::vector<std::string> out;
  for (const Action& a : plan.actions) {
    if (a.verb == Verb::kRotate) out.push_back(a.reason);
  }
  return out;
}

TEST_CASE("a daily log is rotated at midnight and not a second before") {
  const LogsRule rule = CalendarRule();
  const LogSetSnapshot s = Snapshot(500, kMidnight - hours(24) + seconds(2));
  CHECK(Rotations(PlanLogs(rule, s, kMidnight - seconds(1))).empty());
  const auto reasons = Rotations(PlanLogs(rule, s, kMidnight));
  REQUIRE(reasons.size() == 1);
  CHECK_THAT(
      reasons[0],
      Catch::StartsWith("daily rotation (period began 2026-12-05T00:00Z)"));
}

TEST_CASE("a log whose last rotation is three days old is rotated once") {
  const LogsRule rule = CalendarRule();
  LogSetSnapshot s = Snapshot(500, kMidnight - hours(72));
  const WallTime now = kMidnight + hours(9);
  REQUIRE(Rotations(PlanLogs(rule, s, now)).size() == 1);
  // After that rotation its archive is stamped `now`: nothing more today.
  s.archives.push_back(Entry(
      FormatArchiveName("access.log", now, 0, Compression::kNone), 500, now));
  s.live[0].info.size = 20;
  CHECK(Rotations(PlanLogs(rule, s, now + minutes(1))).empty());
  CHECK(Rotations(PlanLogs(rule, s, kMidnight + hours(23))).empty());
  CHECK(Rotations(PlanLogs(rule, s, kMidnight + hours(24))).size() == 1);
}

TEST_CASE("an empty live file is not rotated by the calendar by default") {
  LogsRule rule = CalendarRule();
  const LogSetSnapshot s = Snapshot(0, kMidnight - hours(30));
  CHECK(Rotations(PlanLogs(rule, s, kMidnight)).empty());
  rule.rotate_empty = true;
  CHECK(Rotations(PlanLogs(rule, s, kMidnight)).size() == 1);
}

TEST_CASE("a calendar rotation waits while the live file is under min_size") {
  LogsRule rule = CalendarRule();
  rule.min_size = 1000;
  LogSetSnapshot s = Snapshot(999, kMidnight - hours(30));
  CHECK(Rotations(PlanLogs(rule, s, kMidnight)).empty());
  // Still due later in the period, once it is large enough.
  s.live[0].info.size = 1000;
  CHECK(Rotations(PlanLogs(rule, s, kMidnight + hours(5))).size() == 1);
}

TEST_CASE("a truncate calendar rotation waits for more than one block") {
  LogsRule rule = CalendarRule();
  rule.method = RotateMethod::kTruncate;
  LogSetSnapshot s = Snapshot(4096, kMidnight - hours(30));
  CHECK(Rotations(PlanLogs(rule, s, kMidnight)).empty());
  s.live[0].info.size = 4097;
  CHECK(Rotations(PlanLogs(rule, s, kMidnight)).size() == 1);
}

TEST_CASE("max_file_size still rotates a calendar log within its period") {
  LogsRule rule = CalendarRule();
  rule.max_file_size = 4096;
  LogSetSnapshot s = Snapshot(5000, kMidnight + hours(1));
  const auto by_size = Rotations(PlanLogs(rule, s, kMidnight + hours(2)));
  REQUIRE(by_size.size() == 1);
  CHECK_THAT(by_size[0], Catch::StartsWith("size "));
  // Under the cap and already rotated today: nothing until midnight.
  s.live[0].info.size = 100;
  CHECK(Rotations(PlanLogs(rule, s, kMidnight + hours(23))).empty());
  CHECK_THAT(Rotations(PlanLogs(rule, s, kMidnight + hours(24)))[0],
             Catch::StartsWith("daily rotation"));
}

TEST_CASE("a log with no archive counts from when the policy first saw it") {
  const LogsRule rule = CalendarRule();
  LogSetSnapshot s;
  s.live.push_back(Entry("access.log", 500, kMidnight - hours(3)));
  // Never seen: no known last rotation, never due by the calendar.
  CHECK(Rotations(PlanLogs(rule, s, kMidnight + hours(1))).empty());
  s.first_seen[kLivePath] = kMidnight - hours(2);
  CHECK(Rotations(PlanLogs(rule, s, kMidnight - hours(1))).empty());
  CHECK(Rotations(PlanLogs(rule, s, kMidnight)).size() == 1);
}

TEST_CASE("a numbered archive's change time is its last rotation") {
  LogsRule rule = CalendarRule();
  rule.naming = ArchiveNaming::kNumbered;
  LogSetSnapshot s;
  s.live.push_back(Entry("access.log", 500, kMidnight + hours(2)));
  // Last written yesterday, renamed to .1 by a rotation just after midnight.
  LogsEntry archive = Entry("access.log.1", 10, kMidnight - hours(9));
  archive.info.ctime = kMidnight + seconds(1);
  s.archives.push_back(archive);
  CHECK(Rotations(PlanLogs(rule, s, kMidnight + hours(2))).empty());
  CHECK(Rotations(PlanLogs(rule, s, kMidnight + hours(24))).size() == 1);
}

TEST_CASE("a 6h rotation names its period in the time zone's offset") {
  LogsRule rule = CalendarRule("6h");
  rule.rotate_every->zone = *TimeZone::Parse("+02:00");
  const LogSetSnapshot s = Snapshot(500, kMidnight - hours(7));
  // 6h periods at +02:00 begin at 22:00, 04:00, 10:00, 16:00 UTC.
  const auto reasons = Rotations(PlanLogs(rule, s, kMidnight + hours(4)));
  REQUIRE(reasons.size() == 1);
  CHECK_THAT(
      reasons[0],
      Catch::StartsWith("6h rotation (period began 2026-12-05T06:00+02:00)"));
}

}  // namespace
}  // namespace retention::logs_calendar_planner_test

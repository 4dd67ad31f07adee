// The logs planner's byte budget beside its files: the carries of truncate
// rotations and the temp of the compression at work counted in it, and the
// budget alert a plan raises when it cannot be met. Hand-made snapshots;
// nothing touches a filesystem. Each plan is also what a dry run prints.
#include <catch2/catch.hpp>

#include "kinds/logs/logs_planner.h"
#include "unit/logs_entry.h"

namespace retention::logs_budget_test {
namespace {

using std::chrono::hours;
constexpr uint64_t kM = 1 << 20;
const WallTime kNow = FromUnixSeconds(1795455270);  // 2026-11-23T17:34:30Z
const std::string kDir = "/var/log/app";

// 100M budget, 10M cap, truncate, zstd: the reserve is 3 x 10M.
LogsRule BudgetRule() {
  LogsRule r;
  r.policy = "logs.access";
  r.paths = {kDir + "/access.log"};
  r.max_total_size = 100 * kM;
  r.max_file_size = 10 * kM;
  return r;
}

LogsEntry OldArchive(int hours_ago, uint64_t size) {
  const WallTime t = kNow - hours(hours_ago);
  return MakeLogsEntry(
      kDir, FormatArchiveName("access.log", t, 0, Compression::kZstd), size, t);
}

// A live file at `live` bytes and four archives of 10M, 1-4 hours old.
LogSetSnapshot Set(uint64_t live) {
  LogSetSnapshot s;
  s.live = {MakeLogsEntry(kDir, "access.log", live, kNow)};
  for (int h = 4; h >= 1; --h) s.archives.push_back(OldArchive(h, 10 * kM));
  return s;
}

size_t Deletions(const Plan& p) {
  size_t n = 0;
  for (const Action& a : p.actions) n += a.verb == Verb::kDelete;
  return n;
}

TEST_CASE("the carry of a truncate rotation counts in the budget") {
  const LogsRule r = BudgetRule();
  // 5 live + 40 + 25 reserved (5 growth, 10 head copy, 10 compression)
  // is within 100M; with a carry of 31M it is not.
  LogSetSnapshot s = Set(5 * kM);
  CHECK(BudgetReserve(r, s) == 25 * kM);
  CHECK(BudgetTransient(r, s) == 0);
  CHECK(Deletions(PlanLogs(r, s, kNow)) == 0);
  s.carry_bytes = 31 * kM;
  CHECK(BudgetTransient(r, s) == 31 * kM);
  Plan p = PlanLogs(r, s, kNow);
  REQUIRE(Deletions(p) == 1);
  CHECK(p.actions[0].reason.find("holds 76M + 25M reserved") !=
        std::string::npos);
  CHECK(p.alerts.empty());
}

TEST_CASE("the temp of the compression at work is transient, its source not") {
  const LogsRule r = BudgetRule();
  LogSetSnapshot s = Set(5 * kM);
  LogsEntry source = OldArchive(1, 10 * kM);
  source.name = FormatArchiveName("access.log", kNow - hours(1), 0,
                                  Compression::kNone);
  LogsEntry temp = source;
  temp.name += ".zst.rtd-tmp";
  temp.info.size = 3 * kM;
  s.archives.back() = source;
  s.archives.push_back(temp);
  s.compressing = {source.path()};
  s.compressing_now = source.path();
  s.carry_bytes = kM;
  CHECK(BudgetTransient(r, s) == 4 * kM);
  // Another compression's leftover temp is no part of it (cleaned up).
  s.compressing_now.clear();
  CHECK(BudgetTransient(r, s) == kM);
}

TEST_CASE("a budget the min_age floor keeps from being met raises the alert") {
  LogsRule r = BudgetRule();
  LogSetSnapshot s = Set(5 * kM);
  CHECK(PlanLogs(r, s, kNow).alerts.empty());
  r.max_total_size = 50 * kM;
  r.min_age = hours(3);
  Plan p = PlanLogs(r, s, kNow);
  // Only the 4-hour-old archive may go: 35 + 25 reserved > 50M.
  CHECK(Deletions(p) == 1);
  REQUIRE(p.alerts.count("budget") == 1);
  CHECK(p.alerts["budget"] ==
        "max_total_size 50 MiB not met: the set holds 35 MiB + 25 MiB "
        "reserved; the rotated files left are younger than min_age 3h");
  // The log's warning says the same in the config's units.
  CHECK(p.warnings ==
        std::vector<std::string>{
            "max_total_size 50M not met: the set holds 35M + 25M reserved; "
            "the rotated files left are younger than min_age 3h"});
}

}  // namespace
}  // namespace retention::logs_budget_test

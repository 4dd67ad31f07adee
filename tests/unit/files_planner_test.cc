#include "kinds/files/files_planner.h"

#include <catch2/catch.hpp>

namespace retention::files_planner_test {
namespace {

using std::chrono::hours;
constexpr Duration kDay = hours(24);
const WallTime kNow = FromUnixSeconds(1767225600);

FilesEntry Entry(const std::string& name, Duration age,
                 FileType type = FileType::kRegular, uint64_t size = 100) {
  FilesEntry e;
  e.name = name;
  e.info.type = type;
  e.info.size = size;
  e.info.mtime = kNow - age;
  e.info.ino = name.size() + 1000;
  return e;
}

FilesRule Rule(Duration max_age, Duration min_age = Duration::zero(),
               std::vector<std::string> match = {"*"}) {
  return {"/var/backups/app", std::move(match), max_age, min_age};
}

std::vector<std::string> Targets(const Plan& p) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) out.push_back(a.target);
  return out;
}

TEST_CASE("files older than max_age are planned, oldest first, with a reason") {
  Plan p =
      PlanFiles("files.b", Rule(kDay * 90),
                {Entry("new.tar", kDay), Entry("old.tar", kDay * 100),
                 Entry("older.tar", kDay * 200), Entry("edge.tar", kDay * 90)},
                kNow);
  CHECK(Targets(p) == std::vector<std::string>{"/var/backups/app/older.tar",
                                               "/var/backups/app/old.tar"});
  CHECK(p.scope == 4);
  CHECK(p.actions[0].reason.find("past max_age 90d") != std::string::npos);
  CHECK(p.actions[0].bytes == 100);
  CHECK(p.actions[0].expected.ino == 1009);  // older.tar's identity
}

TEST_CASE("a plan counts what it keeps and the oldest of it") {
  Plan p = PlanFiles("files.b", Rule(kDay * 90, Duration::zero(), {"*.tar"}),
                     {Entry("new.tar", kDay), Entry("old.tar", kDay * 100),
                      Entry("edge.tar", kDay * 90), Entry("x.log", kDay * 500),
                      Entry("d", kDay * 999, FileType::kDirectory)},
                     kNow);
  REQUIRE(p.kept);
  CHECK(p.kept->count == 2);  // new.tar and edge.tar; x.log is out of scope
  CHECK(p.kept->oldest == kNow - kDay * 90);

  Plan all_old = PlanFiles("files.b", Rule(kDay), {Entry("a", kDay * 2)}, kNow);
  REQUIRE(all_old.kept);
  CHECK(all_old.kept->count == 0);
  CHECK_FALSE(all_old.kept->oldest);
}

TEST_CASE("the min_age floor wins over a shorter max_age") {
  const Duration six_years = kDay * 365 * 6;
  Plan p = PlanFiles(
      "files.audit", Rule(kDay * 30, six_years),
      {Entry("a.log", kDay * 400), Entry("b.log", six_years + kDay)}, kNow);
  CHECK(Targets(p) == std::vector<std::string>{"/var/backups/app/b.log"});
  CHECK(p.actions[0].reason.find("min_age floor") != std::string::npos);
}

TEST_CASE("directories, devices and mount points are never planned") {
  FilesEntry mount = Entry("mnt", kDay * 999, FileType::kDirectory);
  mount.info.mount_root = true;
  Plan p = PlanFiles("files.b", Rule(kDay),
                     {Entry("dir", kDay * 999, FileType::kDirectory),
                      Entry("fifo", kDay * 999, FileType::kOther), mount,
                      Entry("link", kDay * 999, FileType::kSymlink)},
                     kNow);
  CHECK(Targets(p) == std::vector<std::string>{"/var/backups/app/link"});
  CHECK(p.warnings.size() == 1);
}

TEST_CASE("only names matching a glob are planned") {
  Plan p =
      PlanFiles("files.b", Rule(kDay, Duration::zero(), {"*.tar.zst", "*.gz"}),
                {Entry("a.tar.zst", kDay * 2), Entry("b.gz", kDay * 2),
                 Entry("c.txt", kDay * 2), Entry(".hidden.gz", kDay * 2)},
                kNow);
  CHECK(Targets(p) == std::vector<std::string>{"/var/backups/app/a.tar.zst",
                                               "/var/backups/app/b.gz"});
  CHECK(p.scope == 2);
}

TEST_CASE("a file dated in the future is kept") {
  Plan p =
      PlanFiles("files.b", Rule(kDay), {Entry("future", -kDay * 10)}, kNow);
  CHECK(p.actions.empty());
}

}  // namespace
}  // namespace retention::files_planner_test

namespace retention::files_planner_test {
namespace {

TEST_CASE("keep_newest keeps the newest matches whatever their age") {
  FilesRule rule = Rule(kDay * 30);
  rule.keep_newest = 2;
  const std::vector<FilesEntry> entries = {
      Entry("a.tar", kDay * 300), Entry("b.tar", kDay * 200),
      Entry("c.tar", kDay * 100), Entry("d.tar", kDay * 400)};
  Plan p = PlanFiles("files.b", rule, entries, kNow);
  // c and b are the two newest: kept although past max_age.
  CHECK(Targets(p) == std::vector<std::string>{"/var/backups/app/d.tar",
                                               "/var/backups/app/a.tar"});
  CHECK_THAT(p.actions[0].reason, Catch::Contains("not among the 2 newest"));
  REQUIRE(p.kept);
  CHECK(p.kept->count == 2);
  CHECK(p.kept->oldest == kNow - kDay * 200);
  rule.keep_newest = 10;  // more than there are: nothing goes
  CHECK(PlanFiles("files.b", rule, entries, kNow).actions.empty());
}

TEST_CASE("exclude globs are never candidates") {
  FilesRule rule = Rule(kDay);
  rule.exclude = {"*.keep", "KEEP-*"};
  Plan p = PlanFiles("files.b", rule,
                     {Entry("a.tar", kDay * 9), Entry("b.keep", kDay * 9),
                      Entry("KEEP-c", kDay * 9)},
                     kNow);
  CHECK(Targets(p) == std::vector<std::string>{"/var/backups/app/a.tar"});
  CHECK(p.scope == 1);
}

TEST_CASE("age_by measures age from ctime or atime instead of mtime") {
  FilesEntry e = Entry("a.tar", kDay * 100);  // mtime 100 days ago
  e.info.ctime = kNow - kDay * 2;
  e.info.atime = kNow - kDay * 50;
  FilesRule rule = Rule(kDay * 30);
  CHECK(PlanFiles("files.b", rule, {e}, kNow).actions.size() == 1);
  rule.age_by = AgeBy::kCtime;
  CHECK(PlanFiles("files.b", rule, {e}, kNow).actions.empty());
  rule.age_by = AgeBy::kAtime;
  Plan p = PlanFiles("files.b", rule, {e}, kNow);
  REQUIRE(p.actions.size() == 1);
  CHECK_THAT(p.actions[0].reason, Catch::StartsWith("accessed "));
  CHECK(ParseAgeBy("ctime") == AgeBy::kCtime);
  CHECK(ParseAgeBy("mtime") == AgeBy::kMtime);
}

}  // namespace
}  // namespace retention::files_planner_test

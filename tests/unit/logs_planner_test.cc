// The logs planner on hand-made snapshots. The plan IS the dry run: a dry
// run prints exactly this plan and a real run executes it, so each test that
// expects deletions is its own dry-run twin by asserting that the plan lists
// exactly the expected targets and that planning again gives the identical
// plan (PlanTwice). Nothing here touches a filesystem.
#include "kinds/logs/logs_planner.h"

#include <catch2/catch.hpp>

#include "unit/logs_entry.h"

namespace retention::logs_planner_test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
constexpr Duration kDay = hours(24);
constexpr uint64_t kM = 1 << 20;
const WallTime kNow = FromUnixSeconds(1795455270);  // 2026-11-23T17:34:30Z
const std::string kDir = "/var/log/app";

LogsRule Rule() {
  LogsRule r;
  r.policy = "logs.access";
  r.paths = {kDir + "/access.log"};
  return r;
}

LogsEntry Entry(const std::string& dir, const std::string& name, uint64_t size,
                WallTime mtime) {
  return MakeLogsEntry(dir, name, size, mtime);
}

LogsEntry Live(uint64_t size, const std::string& name = "access.log") {
  return Entry(kDir, name, size, kNow);
}

// A timestamp-named archive rotated `age` ago.
LogsEntry Archive(Duration age, uint64_t size,
                  Compression c = Compression::kZstd,
                  const std::string& live = "access.log",
                  const std::string& dir = kDir) {
  return Entry(dir, FormatArchiveName(live, kNow - age, 0, c), size,
               kNow - age);
}

std::string Name(Duration age, Compression c = Compression::kZstd,
                 const std::string& live = "access.log") {
  return kDir + "/" + FormatArchiveName(live, kNow - age, 0, c);
}

std::vector<std::string> Targets(const Plan& p, const std::string& verb) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) {
    if (VerbName(a.verb) == verb) out.push_back(a.target);
  }
  return out;
}

std::vector<std::string> Verbs(const Plan& p) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) out.push_back(VerbName(a.verb));
  return out;
}

bool Has(const std::vector<std::string>& warnings, const std::string& text) {
  for (const std::string& w : warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

// Plans twice and requires the same plan both times: planning is pure, so
// a dry run shows exactly what the real run will do.
Plan PlanTwice(const LogsRule& rule, const LogSetSnapshot& snapshot) {
  Plan first = PlanLogs(rule, snapshot, kNow);
  Plan second = PlanLogs(rule, snapshot, kNow);
  REQUIRE(first.actions.size() == second.actions.size());
  for (size_t i = 0; i < first.actions.size(); ++i) {
    CHECK(first.actions[i].verb == second.actions[i].verb);
    CHECK(first.actions[i].target == second.actions[i].target);
    CHECK(first.actions[i].reason == second.actions[i].reason);
    CHECK(first.actions[i].bytes == second.actions[i].bytes);
  }
  CHECK(first.warnings == second.warnings);
  CHECK(first.scope == second.scope);
  return first;
}

TEST_CASE("a log set within every limit plans nothing") {
  LogsRule r = Rule();
  r.max_file_size = 100 * kM;
  r.max_total_size = 1000 * kM;
  r.max_age = kDay * 21;
  r.keep = 5;
  LogSetSnapshot s;
  s.live = {Live(99 * kM)};
  s.archives = {Archive(kDay * 20, 100 * kM), Archive(kDay * 2, 100 * kM),
                Archive(kDay * 21, 100 * kM)};  // exactly max_age: kept
  Plan p = PlanTwice(r, s);
  CHECK(p.actions.empty());
  CHECK(p.warnings.empty());
  CHECK(p.policy == "logs.access");
  CHECK(p.now == kNow);
  CHECK(p.scope == 3);
  REQUIRE(p.kept);
  CHECK(p.kept->count == 3);
  CHECK(p.kept->oldest == kNow - kDay * 21);
  CHECK(p.kept->bytes == 300 * kM);
  CHECK(p.kept->live_bytes == 99 * kM);
}

TEST_CASE("a live file at max_file_size is rotated to a named archive") {
  LogsRule r = Rule();
  r.max_file_size = 100 * kM;
  LogSetSnapshot s;
  s.live = {Live(100 * kM), Live(99 * kM, "error.log")};
  r.paths.push_back(kDir + "/error.log");
  Plan p = PlanLogs(r, s, kNow);
  REQUIRE(Verbs(p) == std::vector<std::string>{"rotate"});
  const Action& a = p.actions[0];
  CHECK(a.target == kDir + "/access.log");
  CHECK(a.bytes == 100 * kM);
  CHECK(a.expected.ino == s.live[0].info.ino);
  CHECK(a.reason ==
        "size 100M reached max_file_size 100M; becomes "
        "/var/log/app/access.log-20261123T173430Z (truncate)");
  CHECK(RotationArchiveName(r, "access.log", kNow, {}) ==
        "access.log-20261123T173430Z");
  REQUIRE(p.kept);
  CHECK(p.kept->count == 0);
  CHECK_FALSE(p.kept->oldest);
}

TEST_CASE("a live file the watcher flagged is rotated early, at its size") {
  LogsRule r = Rule();
  r.max_file_size = 100 * kM;
  r.paths.push_back(kDir + "/error.log");
  LogSetSnapshot s;
  s.live = {Live(80 * kM), Live(70 * kM, "error.log")};
  EarlyCrossing early;
  early.policy = "logs.access";
  early.path = kDir + "/access.log";
  early.size = 79 * kM;
  early.bytes_per_second = 100 * kM;
  early.lead = 40 * kM;
  s.early[early.path] = early;
  early.path = kDir + "/error.log";
  early.size = 75 * kM;  // the file is smaller now than when flagged
  s.early[early.path] = early;
  Plan p = PlanTwice(r, s);
  REQUIRE(Verbs(p) == std::vector<std::string>{"rotate"});
  CHECK(p.actions[0].target == kDir + "/access.log");
  CHECK(p.actions[0].reason ==
        "size 80M is within 40M of max_file_size 100M, what its writer adds "
        "(100M/s) while a rotation runs: rotated before it passes the cap; "
        "becomes /var/log/app/access.log-20261123T173430Z (truncate)");
  // Without the notice, neither is due.
  s.early.clear();
  CHECK(PlanLogs(r, s, kNow).actions.empty());
}

TEST_CASE("a second rotation within one second takes the next seq") {
  LogsRule r = Rule();
  r.max_file_size = 4096;
  r.compress = Compression::kNone;
  LogSetSnapshot s;
  s.live = {Live(5000)};
  s.archives = {Archive(Duration::zero(), 4096, Compression::kNone)};
  Plan p = PlanLogs(r, s, kNow + std::chrono::milliseconds(300));
  REQUIRE(Verbs(p) == std::vector<std::string>{"rotate"});
  CHECK(p.actions[0].reason.find("access.log-20261123T173430Z_0002 (") !=
        std::string::npos);
}

TEST_CASE("uncompressed archives are compressed; none when compress = none") {
  LogsRule r = Rule();
  r.keep = 10;
  LogSetSnapshot s;
  s.live = {Live(10)};
  s.archives = {Archive(hours(1), 50 * kM, Compression::kNone),
                Archive(kDay, 5 * kM, Compression::kGzip)};
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "compress") ==
        std::vector<std::string>{Name(hours(1), Compression::kNone)});
  CHECK(p.actions[0].bytes == 50 * kM);
  CHECK(p.actions[0].reason.find("not yet compressed; zstd level 3 into " +
                                 Name(hours(1), Compression::kZstd)) !=
        std::string::npos);
  r.compress = Compression::kNone;
  CHECK(PlanLogs(r, s, kNow).actions.empty());
}

TEST_CASE("archives past max_age are deleted oldest first, with reasons") {
  LogsRule r = Rule();
  r.max_age = kDay * 21;
  LogSetSnapshot s;
  s.live = {Live(10 * kM)};
  s.archives = {Archive(kDay * 22, 1 * kM), Archive(kDay * 40, 2 * kM),
                Archive(kDay * 3, 3 * kM), Archive(kDay * 30, 4 * kM)};
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") == std::vector<std::string>{Name(kDay * 40),
                                                         Name(kDay * 30),
                                                         Name(kDay * 22)});
  CHECK(p.actions.size() == 3);
  CHECK(p.actions[0].reason ==
        "rotated 2026-10-14T17:34:30Z, 40d ago, past max_age 21d; lateness 19d");
  CHECK(p.actions[0].bytes == 2 * kM);
  CHECK(p.scope == 4);
  CHECK(p.kept->count == 1);
  CHECK(p.kept->oldest == kNow - kDay * 3);
}

TEST_CASE("an expired uncompressed archive is deleted, not compressed") {
  LogsRule r = Rule();
  r.max_age = kDay;
  LogSetSnapshot s;
  s.live = {Live(1)};
  s.archives = {Archive(kDay * 2, kM, Compression::kNone)};
  Plan p = PlanTwice(r, s);
  CHECK(Verbs(p) == std::vector<std::string>{"delete"});
  CHECK(Targets(p, "delete") ==
        std::vector<std::string>{Name(kDay * 2, Compression::kNone)});
}

TEST_CASE("keep counts rotated files per live file, and a planned rotation") {
  LogsRule r = Rule();
  r.paths.push_back(kDir + "/error.log");
  r.keep = 2;
  LogSetSnapshot s;
  s.live = {Live(1), Live(1, "error.log")};
  for (int d : {1, 2, 3, 4}) {
    s.archives.push_back(Archive(kDay * d, kM));
    s.archives.push_back(
        Archive(kDay * d + hours(1), kM, Compression::kZstd, "error.log"));
  }
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") ==
        std::vector<std::string>{
            Name(kDay * 4 + hours(1), Compression::kZstd, "error.log"),
            Name(kDay * 4),
            Name(kDay * 3 + hours(1), Compression::kZstd, "error.log"),
            Name(kDay * 3)});
  CHECK(p.actions[1].reason.find(", beyond keep 2 for " + kDir +
                                 "/access.log") != std::string::npos);

  // Rotating access.log now makes one more archive of it: keep 2 leaves 1.
  r.max_file_size = 4096;
  s.live[0] = Live(8192);
  Plan rotating = PlanTwice(r, s);
  CHECK(Verbs(rotating) == std::vector<std::string>{"rotate", "delete",
                                                    "delete", "delete",
                                                    "delete", "delete"});
  CHECK(Targets(rotating, "delete")[4] == Name(kDay * 2));
  CHECK(rotating.actions[5].reason.find("counting the rotation planned now") !=
        std::string::npos);
}

TEST_CASE("the budget counts live, rotated and in-flight bytes") {
  LogsRule r = Rule();
  r.max_total_size = 100 * kM;
  LogSetSnapshot s;
  s.live = {Live(30 * kM)};
  s.archives = {Archive(kDay * 5, 20 * kM), Archive(kDay * 4, 20 * kM),
                Archive(kDay * 3, 20 * kM),
                // In flight: rotated, not yet compressed.
                Archive(hours(1), 35 * kM, Compression::kNone)};
  // 30 + 20 + 20 + 20 + 35 = 125M: the two oldest go to reach 85M.
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") ==
        std::vector<std::string>{Name(kDay * 5), Name(kDay * 4)});
  REQUIRE(Verbs(p) == std::vector<std::string>{"compress", "delete", "delete"});
  CHECK(p.actions[1].reason ==
        "rotated 2026-11-18T17:34:30Z, 5d ago, the oldest left while the set "
        "holds 125M, over max_total_size 100M");
  CHECK(p.actions[2].reason ==
        "rotated 2026-11-19T17:34:30Z, 4d ago, the oldest left while the set "
        "holds 105M, over max_total_size 100M");
  CHECK(p.kept->count == 2);
  CHECK(p.kept->oldest == kNow - kDay * 3);

  // A live file under budget by itself but rotating: its bytes only move,
  // and the budget keeps room for what comes before the next plan: the
  // file growing back to its cap, the head copy of the next truncate
  // rotation, and one compression's output (3 x 10M).
  r.max_file_size = 10 * kM;
  Plan rotating = PlanTwice(r, s);
  CHECK(Targets(rotating, "rotate") ==
        std::vector<std::string>{kDir + "/access.log"});
  CHECK(Targets(rotating, "delete") ==
        std::vector<std::string>{Name(kDay * 5), Name(kDay * 4),
                                 Name(kDay * 3)});
  CHECK(BudgetReserve(r, s) == 30 * kM);
  CHECK(rotating.actions.back().reason ==
        "rotated 2026-11-20T17:34:30Z, 3d ago, the oldest left while the set "
        "holds 85M + 30M reserved, over max_total_size 100M");
  // reopen copies no head; without compression no output grows.
  r.method = RotateMethod::kReopen;
  r.compress = Compression::kNone;
  CHECK(BudgetReserve(r, s) == 10 * kM);
  // Rotated early (the watcher's notice), a file under its cap grows back
  // from empty too: the whole cap, not what it lacks.
  r.max_file_size = 40 * kM;
  CHECK(BudgetReserve(r, s) == 40 * kM - s.live[0].info.size);
  s.early[s.live[0].path()] = {"logs.access", s.live[0].path(),
                               s.live[0].info.size - 1, 1e6, kM};
  CHECK(BudgetReserve(r, s) == 40 * kM);
}

TEST_CASE("the budget deletes archives oldest first, compressing or not") {
  LogsRule r = Rule();
  r.max_total_size = 100 * kM;
  r.max_file_size = 20 * kM;
  LogSetSnapshot s;
  s.live = {Live(10 * kM)};
  const LogsEntry running = Archive(kDay * 3, 20 * kM, Compression::kNone);
  const LogsEntry queued = Archive(kDay * 2, 20 * kM, Compression::kNone);
  LogsEntry temp = running;
  temp.name += ".zst.rtd-tmp";
  temp.info.size = 5 * kM;
  s.archives = {running, temp, queued, Archive(kDay, 10 * kM)};
  s.compressing = {running.path(), queued.path()};
  s.compressing_now = running.path();
  // 10 live + 20 + 5 written + 20 + 10 = 65M, reserve 10 (growth) + 20
  // (copy) + 20 (the rest of the compression at work, or the next) =
  // 50M: the oldest, being compressed, goes; its temp is counted, not
  // cleaned up, and no compression is planned again.
  CHECK(BudgetReserve(r, s) == 50 * kM);
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") == std::vector<std::string>{running.path()});
  CHECK(Targets(p, "cleanup").empty());
  CHECK(Targets(p, "compress").empty());
  CHECK(p.warnings.empty());
}

TEST_CASE("the min_age floor wins over the budget, with a warning") {
  LogsRule r = Rule();
  r.max_total_size = 45 * kM;
  r.min_age = kDay * 7;
  LogSetSnapshot s;
  s.live = {Live(10 * kM)};
  s.archives = {Archive(kDay * 9, 20 * kM), Archive(kDay * 7, 20 * kM),
                Archive(kDay * 6, 20 * kM)};
  Plan p = PlanTwice(r, s);
  // Only the 9-day-old one may go; the 7-day-old one is at the floor.
  CHECK(Targets(p, "delete") == std::vector<std::string>{Name(kDay * 9)});
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0] ==
        "max_total_size 45M not met: the set holds 50M; the rotated files "
        "left are younger than min_age 7d");
}

TEST_CASE("the min_age floor wins over max_age and keep") {
  LogsRule r = Rule();
  r.max_age = kDay;
  r.keep = 1;
  r.min_age = kDay * 30;
  LogSetSnapshot s;
  s.live = {Live(1)};
  s.archives = {Archive(kDay * 31, kM), Archive(kDay * 20, kM),
                Archive(kDay * 2, kM)};
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") == std::vector<std::string>{Name(kDay * 31)});
  CHECK(p.actions[0].reason.find("past max_age 1d") != std::string::npos);
  // keep 1 cannot be met: two younger than the floor are left.
  CHECK(Has(p.warnings, "keep 1 not met for " + kDir +
                            "/access.log: 1 rotated files are younger than "
                            "min_age 30d"));
  CHECK(p.kept->count == 2);
}

TEST_CASE("live files alone over the budget are never deleted, only warned") {
  LogsRule r = Rule();
  r.max_total_size = 10 * kM;
  LogSetSnapshot s;
  s.live = {Live(12 * kM)};
  s.archives = {Archive(kDay, kM)};
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") == std::vector<std::string>{Name(kDay)});
  CHECK(Has(p.warnings,
            "max_total_size 10M not met: the set holds 12M in "
            "live files alone; set max_file_size to rotate"));
}

TEST_CASE("a live file listed among the archives is never deleted") {
  LogsRule r = Rule();
  r.paths = {kDir + "/*"};
  r.max_age = kDay;
  LogSetSnapshot s;
  LogsEntry live =
      Entry(kDir, "access.log-20200101T000000Z", kM, kNow - kDay * 999);
  s.live = {live};
  s.archives = {live, Archive(kDay * 2, kM)};
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") == std::vector<std::string>{Name(kDay * 2)});
  CHECK(Has(p.warnings, kDir + "/access.log-20200101T000000Z: a live file, "
                               "listed as an archive; kept"));
}

TEST_CASE("temps left by a crash are cleaned up, first") {
  LogsRule r = Rule();
  r.max_file_size = 4096;
  r.max_age = kDay;
  LogSetSnapshot s;
  s.live = {Live(8192)};
  const std::string done =
      FormatArchiveName("access.log", kNow - hours(2), 0, Compression::kNone);
  s.archives = {
      Archive(kDay * 2, kM),
      Entry(kDir, TempNameFor(done + ".zst"), 100, kNow),
      Entry(kDir, done, kM, kNow - hours(2)),
      Entry(kDir, "access.log.rtd-tmp", 0, kNow),
  };
  Plan p = PlanTwice(r, s);
  CHECK(Verbs(p) == std::vector<std::string>{"cleanup", "cleanup", "rotate",
                                             "compress", "delete"});
  CHECK(Targets(p, "cleanup") ==
        std::vector<std::string>{kDir + "/" + TempNameFor(done + ".zst"),
                                 kDir + "/access.log.rtd-tmp"});
  CHECK(p.actions[0].reason.find("unfinished temporary file") !=
        std::string::npos);
  CHECK(Targets(p, "compress") == std::vector<std::string>{kDir + "/" + done});
  CHECK(Targets(p, "delete") == std::vector<std::string>{Name(kDay * 2)});
  CHECK(p.scope == 2);  // temps are not rotated files
}

TEST_CASE("an uncompressed copy beside its compressed archive is cleaned up") {
  LogsRule r = Rule();
  r.keep = 5;
  LogSetSnapshot s;
  s.live = {Live(1)};
  s.archives = {Archive(hours(3), kM, Compression::kNone),
                Archive(hours(3), kM / 10, Compression::kZstd)};
  Plan p = PlanTwice(r, s);
  CHECK(Verbs(p) == std::vector<std::string>{"cleanup"});
  CHECK(p.actions[0].target == Name(hours(3), Compression::kNone));
  CHECK(p.actions[0].reason ==
        "already compressed as " +
            FormatArchiveName("access.log", kNow - hours(3), 0,
                              Compression::kZstd) +
            "; an interrupted compression left the uncompressed copy");
  CHECK(p.scope == 1);
  CHECK(p.kept->count == 1);
}

TEST_CASE("files that are not archives of the set are ignored with a warning") {
  LogsRule r = Rule();
  r.max_age = kDay;
  LogSetSnapshot s;
  s.live = {Live(1)};
  LogsEntry dir = Archive(kDay * 5, 0);
  dir.info.type = FileType::kDirectory;
  LogsEntry link = Entry(kDir, "access.log.bak", 1, kNow - kDay * 9);
  s.archives = {dir, link,
                Archive(kDay * 5, 1, Compression::kZstd, "error.log")};
  Plan p = PlanTwice(r, s);
  CHECK(p.actions.empty());
  CHECK(p.warnings.size() == 3);
  CHECK(Has(p.warnings, "access.log.bak: not an archive of this log set"));
  CHECK(Has(p.warnings, "not a regular file; never deleted"));
}

TEST_CASE("a live file that is not a regular file is never rotated") {
  LogsRule r = Rule();
  r.max_file_size = 4096;
  LogSetSnapshot s;
  s.live = {Live(1 << 20)};
  s.live[0].info.type = FileType::kSymlink;
  Plan p = PlanTwice(r, s);
  CHECK(p.actions.empty());
  CHECK(Has(p.warnings,
            "/var/log/app/access.log: not a regular file; never "
            "rotated"));
}

TEST_CASE("numbered archives use mtime and shift up when their log rotates") {
  LogsRule r = Rule();
  r.naming = ArchiveNaming::kNumbered;
  r.max_file_size = 4096;
  r.keep = 3;
  LogSetSnapshot s;
  s.live = {Live(10000)};
  s.archives = {Entry(kDir, "access.log.1", 9000, kNow - hours(1)),
                Entry(kDir, "access.log.2.zst", 900, kNow - kDay),
                Entry(kDir, "access.log.3.zst", 900, kNow - kDay * 2)};
  Plan p = PlanTwice(r, s);
  CHECK(Verbs(p) == std::vector<std::string>{"rotate", "compress", "delete"});
  CHECK(p.actions[0].reason.find("becomes /var/log/app/access.log.1 "
                                 "(truncate); older archives move up one "
                                 "number") != std::string::npos);
  // After the rotation .1 is .2 and .3 is .4: the actions name them so.
  CHECK(p.actions[1].target == kDir + "/access.log.2");
  CHECK(p.actions[1].expected.ino == s.archives[0].info.ino);
  CHECK(p.actions[2].target == kDir + "/access.log.4.zst");
  CHECK(p.actions[2].reason.find("last written 2026-11-21T17:34:30Z") !=
        std::string::npos);
  CHECK(p.kept->oldest == kNow - kDay);

  // Without a rotation nothing shifts.
  s.live = {Live(1)};
  r.keep = 2;
  Plan still = PlanTwice(r, s);
  CHECK(Targets(still, "delete") ==
        std::vector<std::string>{kDir + "/access.log.3.zst"});
}

TEST_CASE("archives in archive_dir belong to their live file") {
  LogsRule r = Rule();
  r.archive_dir = "/var/log/old";
  r.max_age = kDay * 10;
  r.max_file_size = 4096;
  LogSetSnapshot s;
  s.live = {Live(5000)};
  s.archives = {
      Archive(kDay * 11, kM, Compression::kZstd, "access.log", "/var/log/old"),
      Archive(kDay * 12, kM)};  // beside the live file: not this set's
  Plan p = PlanTwice(r, s);
  CHECK(Verbs(p) == std::vector<std::string>{"rotate", "delete"});
  CHECK(p.actions[0].reason.find("becomes /var/log/old/access.log-") !=
        std::string::npos);
  CHECK(p.actions[1].target ==
        "/var/log/old/" + FormatArchiveName("access.log", kNow - kDay * 11, 0,
                                            Compression::kZstd));
  CHECK(Has(p.warnings, "not an archive of this log set"));
}

TEST_CASE("archives of a live file that is gone still age out") {
  LogsRule r = Rule();
  r.max_age = kDay;
  LogSetSnapshot s;
  s.archives = {Archive(kDay * 3, kM)};
  Plan p = PlanTwice(r, s);
  CHECK(Targets(p, "delete") == std::vector<std::string>{Name(kDay * 3)});
}

}  // namespace
}  // namespace retention::logs_planner_test

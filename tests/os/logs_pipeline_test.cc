// The logs kind through the whole path: config file -> Daemon -> [logs.app]
// (built by RegisterLogsKind with a FakeLogRotator) -> plan -> execute ->
// ledger, over the fake filesystem. An os test only because the ledger is
// a real state database in a temp directory: the compression thread
// records into Services::ledger, which unit tests cannot have; the
// executor itself runs on fakes (tests/unit/logs_policy_test.cc).
#include <catch2/catch.hpp>
#include <cerrno>
#include <string>
#include <vector>

#include "core/daemon.h"
#include "core/intent_log.h"
#include "core/ledger.h"
#include "fake_fs_daemon.h"
#include "fakes/fake_log_rotator.h"
#include "kinds/logs/logs_policy.h"

namespace retention::logs_pipeline_test {
namespace {

using Catch::Matchers::Contains;

const char kLive[] = "/var/log/app/app.log";
const char kArchive[] = "/var/log/app/app.log-20260101T000000Z";
const char kOld[] = "/var/log/app/app.log-20251201T000000Z.zst";

struct LogsPipeline : FakeFsDaemon {
  FakeLogRotator rotator{fs};

  // [logs.app] over /var/log/app/app.log (6000 bytes, cap 4K, one archive
  // kept) with one compressed archive from a month ago, and `keys`.
  explicit LogsPipeline(const std::string& keys = "") {
    const KindRegistry builtin = BuiltinRegistry();
    registry = KindRegistry();
    for (const KindSpec& kind : builtin.kinds()) {
      if (kind.kind != "logs") registry.Register(kind);
    }
    RegisterLogsKind(&registry, &rotator);
    fs.AddFileWithContents(kLive, std::string(6000, 'l'), clock.Now());
    fs.AddFile(kOld, 100, clock.Now());
    WriteConfig(std::string("[logs.app]\npaths = ") + kLive +
                "\nmax_file_size = 4K\nkeep = 1\nmax_delete_fraction = 1\n" +
                keys);
    Start();
  }
  // The policies use the rotator: they go first.
  ~LogsPipeline() { daemon.reset(); }

  // A run of [logs.app], its compressions finished.
  RunReport RunLogs(bool dry_run = false) {
    RunReport report = Run("logs.app", dry_run);
    std::dynamic_pointer_cast<LogsPolicy>(daemon->Find("logs.app"))
        ->WaitForCompressions();
    return report;
  }
  std::vector<std::string> Targets(const std::string& action) {
    std::vector<std::string> out;
    for (const LedgerEntry& e : Entries(action)) out.push_back(e.target);
    return out;
  }
  void CheckChain() {
    auto check = daemon->ledger().Verify();
    REQUIRE(check.ok());
    CHECK(check->ok);
  }
};

using Targets = std::vector<std::string>;

TEST_CASE(
    "a log set over its cap is rotated, compressed and pruned, each "
    "in the ledger") {
  LogsPipeline p;
  RunReport report = p.RunLogs();
  INFO(report.error);
  CHECK(report.outcome == Outcome::kOk);
  CHECK(p.Targets("rotate") == Targets{kArchive});
  CHECK(p.Targets("compress") == Targets{std::string(kArchive) + ".zst"});
  CHECK(p.Targets("delete") == Targets{kOld});
  CHECK(p.Entries("rotate")[0].bytes == 6000);
  CHECK(p.fs.Exists(std::string(kArchive) + ".zst"));
  CHECK_FALSE(p.fs.Exists(kOld));
  p.CheckChain();
}

TEST_CASE("a logs dry run through the daemon records and changes nothing") {
  LogsPipeline p;
  RunReport report = p.RunLogs(/*dry_run=*/true);
  CHECK(report.outcome == Outcome::kDryRun);
  CHECK(report.plan.actions.size() == 2);  // rotate, delete
  CHECK(p.Targets("rotate").empty());
  CHECK(p.Targets("delete").empty());
  CHECK(p.rotator.rotations().empty());
  CHECK(p.fs.Exists(kOld));
  CHECK(p.fs.StatPath(kLive)->size == 6000);
}

TEST_CASE(
    "a rotation without space is an error in the run report and "
    "deletes nothing") {
  LogsPipeline p;
  p.rotator.FailStep(RotationStep::kArchiveWritten, ENOSPC);
  RunReport report = p.RunLogs();
  CHECK(report.outcome == Outcome::kError);
  CHECK_THAT(report.error, Contains("rotate: NoSpace"));
  CHECK(p.Entries("rotate").empty());
  CHECK(p.Entries("delete").empty());
  CHECK(p.fs.Exists(kOld));
  CHECK(p.fs.StatPath(kLive)->size == 6000);
  p.CheckChain();
}

TEST_CASE(
    "a rotation cut short after publishing is recorded once and "
    "finished by the next runs") {
  LogsPipeline p("compress = none\n");
  p.rotator.CrashAfter(RotationStep::kArchivePublished);
  RunReport first = p.RunLogs();
  CHECK(first.outcome == Outcome::kError);
  CHECK(p.Entries("rotate").empty());  // its intent stays open
  p.clock.Advance(std::chrono::minutes(1));
  RunReport second = p.RunLogs();
  INFO(second.error);
  CHECK(second.outcome == Outcome::kOk);
  CHECK(p.Targets("rotate") == Targets{kArchive});  // the intent, resolved
  CHECK(p.Targets("recover") == Targets{kLive});
  // Its plan counted a rotation that recovery left nothing to do for.
  CHECK(p.Targets("delete").empty());
  p.clock.Advance(std::chrono::minutes(1));
  CHECK(p.RunLogs().outcome == Outcome::kOk);
  CHECK(p.Targets("delete") == Targets{kOld});
  CHECK(p.fs.FileContents(kLive).empty());
  CHECK(p.fs.FileContents(kArchive) == std::string(6000, 'l'));
  p.CheckChain();
}

}  // namespace
}  // namespace retention::logs_pipeline_test

namespace retention::logs_pipeline_test {
namespace {

TEST_CASE(
    "a daily log is rotated at the midnight boundary and not before, "
    "with the period in the ledger") {
  LogsPipeline p(
      "rotate_every = daily\ncompress = none\nmethod = reopen\n"
      "reopen_command = /usr/sbin/app-reopen\n");
  // The first run rotates at the cap (6000 bytes over 4K), at
  // 2026-01-01T00:00:00Z.
  REQUIRE(p.RunLogs().outcome == Outcome::kOk);
  REQUIRE(p.Targets("rotate") == Targets{kArchive});
  auto policy = p.daemon->Find("logs.app");
  const WallTime midnight = p.clock.Now() + std::chrono::hours(24);
  // It rotated: looked at again after every (1m), however far midnight is.
  CHECK(policy->NextWake(p.clock.Now()) ==
        p.clock.Now() + std::chrono::minutes(1));
  p.clock.Advance(std::chrono::hours(1));
  p.fs.AddFileWithContents(kLive, std::string(300, 'l'), p.clock.Now());
  p.clock.Advance(std::chrono::hours(23) - std::chrono::seconds(1));
  CHECK(policy->NextWake(p.clock.Now()) == midnight);  // the sooner
  CHECK(p.RunLogs().outcome == Outcome::kOk);
  CHECK(p.Entries("rotate").size() == 1);  // 23:59:59: not yet
  p.clock.Advance(std::chrono::seconds(1));
  CHECK(p.RunLogs().outcome == Outcome::kOk);
  const auto rotations = p.Entries("rotate");
  REQUIRE(rotations.size() == 2);
  CHECK(rotations[1].target == "/var/log/app/app.log-20260102T000000Z");
  CHECK(rotations[1].bytes == 300);
  CHECK_THAT(rotations[1].detail,
             Contains("daily rotation (period began 2026-01-02T00:00Z)"));
  // Rotated for this period: the next runs of the day leave it alone.
  p.fs.AddFileWithContents(kLive, std::string(300, 'l'), p.clock.Now());
  p.clock.Advance(std::chrono::hours(12));
  CHECK(p.RunLogs().outcome == Outcome::kOk);
  CHECK(p.Entries("rotate").size() == 2);
  p.CheckChain();
}

TEST_CASE(
    "a compression cut short after its archive was published is done again "
    "and recorded once") {
  LogsPipeline p;
  p.fs.AddFileWithContents(kLive, "short\n", p.clock.Now());  // no rotation
  // What a kill between publishing the archive and removing its source
  // leaves: the source, its archive, and the compression's open intent.
  const std::string source = "/var/log/app/app.log-20251215T000000Z";
  const std::string archive = source + ".zst";
  p.fs.AddFileWithContents(source, std::string(5000, 'a'), p.clock.Now());
  p.fs.AddFileWithContents(archive, "stale", p.clock.Now());
  auto dir = p.fs.OpenRoot("/var/log/app");
  REQUIRE(dir.ok());
  auto info = p.fs.StatAt(**dir, "app.log-20251215T000000Z");
  REQUIRE(info.ok());
  std::vector<IntentUpdate> none;
  std::vector<Intent> opens = {Intent{.policy = "logs.app",
                                      .verb = Verb::kCompress,
                                      .target = source,
                                      .dev = info->dev,
                                      .ino = info->ino,
                                      .bytes = 5000,
                                      .count = 0,
                                      .reason = "zstd level 3",
                                      .created = p.clock.Now()}};
  REQUIRE(CommitIntents(p.daemon->state(), &none, &opens).ok());

  RunReport r = p.RunLogs();
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  CHECK(p.Targets("compress") == Targets{archive});
  CHECK_FALSE(p.fs.Exists(source));
  REQUIRE(p.fs.Exists(archive));
  CHECK(p.fs.FileContents(archive) != "stale");  // compressed again
  auto open = OpenIntents(p.daemon->state(), "");
  REQUIRE(open.ok());
  CHECK(open->empty());
  p.CheckChain();
}

}  // namespace
}  // namespace retention::logs_pipeline_test

// LogsPolicy, the logs executor, on fakes (FakeClock, FakeFilesystem,
// FakeLogRotator): what a run rotates, compresses and deletes, what it
// records, and how it meets a failed or interrupted rotation.
#include "kinds/logs/logs_policy.h"

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>
#include <vector>

#include "unit/logs_fixture.h"

namespace retention::logs_policy_test {
namespace {

using Catch::Matchers::Contains;
using Names = std::vector<std::string>;
using std::chrono::hours;
using std::chrono::minutes;

// Distinct lines, over 4K in all: more than max_file_size = 4K.
std::string LogLines() {
  std::string text;
  for (int i = 0; text.size() <= 6000; ++i) {
    text += "line " + std::to_string(i) + "\n";
  }
  return text;
}

const std::string kText = LogLines();
const std::string kArchiveName = "app.log-20260101T000000Z";

TEST_CASE("a log over its cap is rotated into its archive and recorded") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\n");
  f.AddLive(kText);
  const FileInfo before = *f.fs.StatPath(kLive);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(r.done == 1);
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
  auto live = f.fs.StatPath(kLive);
  REQUIRE(live.ok());
  CHECK(live->size == 0);
  CHECK(live->SameIdentity(before));  // emptied in place: truncate method
  CHECK(f.Recorded(Verb::kRotate) == Names{kFirstArchive});
  CHECK(f.ctx.recorded[0].bytes == kText.size());
  CHECK_THAT(f.ctx.recorded[0].reason,
             Contains("rotated " + std::string(kLive)));
  CHECK(f.rotator.rotations() ==
        Names{"collapse " + std::string(kLive) + " -> " + kFirstArchive});
  CHECK(f.rotator.reopens().empty());  // an O_APPEND writer needs no word
  CHECK(f.fs.removed().empty());
  CHECK(f.Names() == Names{"app.log", kArchiveName});  // no intent, no temp
}

TEST_CASE("a reopen set's lead is learned from its rotation until the writer is told") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\nmethod = reopen\n"
          "reopen_signal = USR1\npid_file = /run/app.pid\n");
  f.AddLive(kText);
  const std::vector<SizeWatch> watches = f.policy->watches();
  REQUIRE(watches.size() == 1);
  REQUIRE(watches[0].rotation_time_ns);  // the watcher may rotate it early
  // The assumed time four times over, as a learned one.
  CHECK(Duration(watches[0].rotation_time_ns->load()) ==
        std::chrono::milliseconds(1000));
  // Telling the writer takes 200 ms: its archive grows until then.
  f.rotator.OnTell([&] { f.clock.Advance(std::chrono::milliseconds(200)); });
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.rotator.reopens().size() == 1);
  // The high percentile of one sample, plus a quarter, four times (an
  // early rename waits for the cap); not scaled by the bytes moved (a
  // rename copies nothing).
  CHECK(Duration(watches[0].rotation_time_ns->load()) ==
        std::chrono::milliseconds(1000));
}

TEST_CASE("a reopen set's lead stays at the assumed time for the first rotations") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\nmethod = reopen\n"
          "reopen_signal = USR1\npid_file = /run/app.pid\n");
  const std::vector<SizeWatch> watches = f.policy->watches();
  REQUIRE(watches[0].rotation_time_ns);
  // Told 4 ms after the notice, five times: the lead stays at the assumed
  // 250 ms four times over for the first four, then follows them (5 ms,
  // four times).
  f.rotator.OnTell([&] { f.clock.Advance(std::chrono::milliseconds(4)); });
  for (int i = 0; i < 5; ++i) {
    f.AddLive(kText);
    CHECK(f.Run().errors.empty());
    CHECK(Duration(watches[0].rotation_time_ns->load()) ==
          (i < 4 ? std::chrono::milliseconds(1000)
                 : std::chrono::milliseconds(20)));
  }
}

TEST_CASE("a reopen set's lead runs from the watcher's first early notice") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\nmethod = reopen\n"
          "reopen_signal = USR1\npid_file = /run/app.pid\n");
  f.AddLive(kText);
  // Noticed 300 ms before the run (the policy's last run was still at
  // work), and again 100 ms later: the first notice counts.
  f.logs().OnEarlyCrossing({"logs.app", kLive, 3000, 1e6, 1000});
  f.clock.Advance(std::chrono::milliseconds(100));
  f.logs().OnEarlyCrossing({"logs.app", kLive, 3100, 1e6, 1000});
  f.clock.Advance(std::chrono::milliseconds(200));
  f.rotator.OnTell([&] { f.clock.Advance(std::chrono::milliseconds(100)); });
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  const std::vector<SizeWatch> watches = f.policy->watches();
  REQUIRE(watches[0].rotation_time_ns);
  // (300 + 100) ms, plus a quarter, four times: an early rename waits for
  // the cap (HeadChase), so a lead too long costs a wait, not a short
  // archive.
  CHECK(Duration(watches[0].rotation_time_ns->load()) ==
        std::chrono::milliseconds(2000));
}

// Every chase of `f` waits 250 ms for the writer, works 50 ms, and cuts
// in 40; returns the lead planned before the first.
Duration ChaseFor300ms(LogsFixture& f) {
  f.rotator.OnChase([&f](RotationResult* r) {
    f.clock.Advance(std::chrono::milliseconds(300));
    r->waited = std::chrono::milliseconds(250);
    r->finish = std::chrono::milliseconds(40);
  });
  const std::vector<SizeWatch> watches = f.policy->watches();
  REQUIRE(watches[0].rotation_time_ns);
  return Duration(watches[0].rotation_time_ns->load());
}

TEST_CASE("an early truncate rotation chases its writer to the cap") {
  LogsFixture f;
  f.Build("max_file_size = 8K\ncompress = none\n");
  f.AddLive(kText);
  REQUIRE(kText.size() < 8192);
  const Duration assumed = ChaseFor300ms(f);
  const std::vector<SizeWatch> watches = f.policy->watches();
  f.logs().OnEarlyCrossing({"logs.app", kLive, kText.size(), 1e6, 4000});
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  REQUIRE(f.rotator.chases().size() == 1);
  const HeadChase first = f.rotator.chases()[0];
  CHECK(first.cap == 8192);
  CHECK(first.finish_time == LogsPolicy::kAssumedFinishTime);
  CHECK(first.max_wait == 2 * assumed + std::chrono::milliseconds(100));
  REQUIRE(first.stopping);
  CHECK_FALSE(first.stopping());
  // The lead is learned from the 50 ms of work (scaled to the cap, twice
  // the plan), not from the waits; the cut's 40 ms plan the next chase's
  // finish.
  const double scaled = 50e6 * 8192 / static_cast<double>(kText.size());
  const int64_t high = static_cast<int64_t>(scaled);
  CHECK(watches[0].rotation_time_ns->load() == 2 * (high + high / 4));

  f.AddLive(kText);
  f.logs().OnEarlyCrossing({"logs.app", kLive, kText.size(), 1e6, 4000});
  r = f.Run();
  CHECK(r.errors.empty());
  REQUIRE(f.rotator.chases().size() == 2);
  CHECK(f.rotator.chases()[1].finish_time == std::chrono::milliseconds(50));

  // A file at its cap already is cut at once.
  f.AddLive(kText + kText);
  r = f.Run();
  CHECK(r.errors.empty());
  REQUIRE(f.rotator.chases().size() == 3);
  CHECK(f.rotator.chases()[2].cap == 0);
}

TEST_CASE("a chased truncate head cut short does not stretch the lead") {
  LogsFixture f;
  f.Build("max_file_size = 64K\ncompress = none\n");
  f.AddLive(kText);
  REQUIRE(kText.size() < 32 * 1024);
  // Cut far below the cap (its copy fell behind on a busy disk): 50 ms of
  // work for a head under half the cap, which scaled to the cap would
  // plan a lead over a second.
  const Duration assumed = ChaseFor300ms(f);
  const std::vector<SizeWatch> watches = f.policy->watches();
  REQUIRE(assumed < std::chrono::seconds(1));
  f.logs().OnEarlyCrossing({"logs.app", kLive, kText.size(), 1e6, 60000});
  CHECK(f.Run().errors.empty());
  REQUIRE(f.rotator.chases().size() == 1);
  CHECK(Duration(watches[0].rotation_time_ns->load()) == assumed);
  // Its cut still plans the next chase's finish.
  f.AddLive(kText);
  f.logs().OnEarlyCrossing({"logs.app", kLive, kText.size(), 1e6, 60000});
  CHECK(f.Run().errors.empty());
  REQUIRE(f.rotator.chases().size() == 2);
  CHECK(f.rotator.chases()[1].finish_time == std::chrono::milliseconds(50));
}

TEST_CASE("a log dry run plans the rotation and changes nothing") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\n");
  f.AddLive(kText);
  Plan plan = f.MakePlan();
  REQUIRE(plan.actions.size() == 1);
  CHECK(plan.actions[0].verb == Verb::kRotate);
  CHECK(plan.actions[0].target == kLive);
  CHECK(f.rotator.rotations().empty());
  CHECK(f.fs.FileContents(kLive) == kText);
  CHECK(f.Names() == Names{"app.log"});
}

TEST_CASE("a log under its cap is not rotated") {
  LogsFixture f;
  f.Build("max_file_size = 8K\ncompress = none\n");
  f.AddLive(kText);
  ExecResult r = f.Run();
  CHECK(r.done == 0);
  CHECK(f.rotator.rotations().empty());
  CHECK(f.fs.FileContents(kLive) == kText);
}

TEST_CASE("a rotated archive is compressed and its source removed") {
  LogsFixture f;
  f.Build("max_file_size = 4K\n");  // compress = zstd
  f.AddLive(kText);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.Names() == Names{"app.log", kArchiveName + ".zst"});
  CHECK(f.Unzstd(kFirstArchive + std::string(".zst")) == kText);
  CHECK(f.fs.removed() == Names{kFirstArchive});  // by the compression
  CHECK(f.rotator.writing_asks() == 0);  // truncate: nobody to wait for
}

TEST_CASE("a rotation past the count limit is followed by the oldest delete") {
  LogsFixture f;
  f.Build("max_file_size = 4K\nkeep = 1\n");
  f.AddArchive("app.log-20251201T000000Z.zst", 100);
  f.AddLive(kText);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  REQUIRE(f.ctx.recorded.size() == 2);
  CHECK(f.ctx.recorded[0].verb == Verb::kRotate);
  CHECK(f.ctx.recorded[1].verb == Verb::kDelete);
  CHECK(f.ctx.recorded[1].target ==
        "/var/log/app/app.log-20251201T000000Z.zst");
  CHECK(f.Names() == Names{"app.log", kArchiveName + ".zst"});
}

const std::string kOldest = "/var/log/app/app.log-20251201T000000Z.zst";
const std::string kMiddle = "/var/log/app/app.log-20251208T000000Z.zst";

TEST_CASE("archives beyond keep are deleted oldest first") {
  LogsFixture f;
  f.Build("keep = 2\n");
  f.AddThreeArchives();
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.Recorded(Verb::kDelete) == Names{kOldest});
  CHECK(f.fs.removed() == Names{kOldest});
}

TEST_CASE("archives older than max_age are deleted") {
  LogsFixture f;
  f.Build("max_age = 21d\n");
  f.AddThreeArchives();
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.Recorded(Verb::kDelete) == Names{kOldest, kMiddle});
  CHECK(f.fs.removed() == Names{kOldest, kMiddle});
}

TEST_CASE("the byte budget deletes the oldest archives until the set fits") {
  LogsFixture f;
  f.Build("max_total_size = 10K\n");  // 1000 + 3 x 4096 is over by one
  f.AddThreeArchives();
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.Recorded(Verb::kDelete) == Names{kOldest});
  CHECK(f.fs.removed() == Names{kOldest});
}

TEST_CASE("the carries beside the live file count in the byte budget") {
  LogsFixture f;
  f.Build("max_total_size = 10K\n");
  f.AddThreeArchives();
  // 1000 + 2 x 4096 + 600 + 500 > 10K: the middle archive goes too. The
  // carry of a file the set does not match is not its own.
  f.AddArchive(".app.log.rtd-carry", 600);
  f.AddArchive(".app.log.rtd-carry.new", 500);
  f.AddArchive(".other.log.rtd-carry", 8000);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.fs.removed() == Names{kOldest, kMiddle});
  // Carries are never the planner's to delete.
  CHECK(f.fs.Exists("/var/log/app/.app.log.rtd-carry"));
}

TEST_CASE("an archive the budget deletes that was compressed since the plan goes as compressed") {
  LogsFixture f;
  f.Build("max_total_size = 10K\n");  // compress = zstd
  f.AddLive(std::string(1000, 'x'));
  const std::string oldest = "/var/log/app/app.log-20251201T000000Z";
  f.AddArchive("app.log-20251201T000000Z", 4096);  // not yet compressed
  f.AddArchive("app.log-20251208T000000Z.zst", 4096);
  f.AddArchive("app.log-20251225T000000Z.zst", 4096);
  Plan plan = f.MakePlan();
  // Between the plan and its deletion, the compressor publishes the
  // oldest's archive and removes its source.
  f.AddArchive("app.log-20251201T000000Z.zst", 3000);
  auto dir = f.fs.OpenRoot(kLogDir);
  REQUIRE(dir.ok());
  REQUIRE(f.fs.RemoveAt(**dir, "app.log-20251201T000000Z",
                        *f.fs.StatPath(oldest)).ok());
  ExecResult r = f.policy->Execute(plan, f.ctx);
  f.logs().WaitForCompressions();
  CHECK(r.errors.empty());
  // Its lines go, as compressed: not a younger archive's in their place,
  // and the ledger does not say the source was deleted.
  CHECK(f.Recorded(Verb::kDelete) == Names{oldest + ".zst"});
  CHECK(f.Names() == Names{"app.log", "app.log-20251208T000000Z.zst",
                           "app.log-20251225T000000Z.zst"});
  REQUIRE(!f.ctx.recorded.empty());
  CHECK_THAT(f.ctx.recorded.back().reason,
             Contains("compressed meanwhile into app.log-20251201T000000Z.zst"));
}

TEST_CASE("a budget dry run lists the deletions and removes nothing") {
  LogsFixture f;
  f.Build("max_age = 21d\nkeep = 2\n");
  f.AddThreeArchives();
  Plan plan = f.MakePlan();
  Names planned;
  for (const Action& a : plan.actions) {
    if (a.verb == Verb::kDelete) planned.push_back(a.target);
  }
  CHECK(planned == Names{kOldest, kMiddle});
  CHECK(f.fs.removed().empty());
  CHECK(f.Names().size() == 4);
}

TEST_CASE(
    "a failed rotation is an error and nothing is deleted on its strength") {
  LogsFixture f;
  f.Build("max_file_size = 4K\nkeep = 1\ncompress = none\n");
  f.AddArchive("app.log-20251201T000000Z", 100);
  f.AddLive(kText);
  std::string code;
  SECTION("no space for the archive") {
    f.rotator.FailStep(RotationStep::kArchiveWritten, ENOSPC);
    code = "NoSpace";
  }
  SECTION("the live file was swapped") {
    f.rotator.FailNext(RotatorOp::kCollapse, Status::Unsafe("swapped"));
    code = "Unsafe";
  }
  SECTION("the rotation was cut short after publishing its archive") {
    f.rotator.CrashAfter(RotationStep::kArchivePublished);
    code = "Aborted";
  }
  ExecResult r = f.Run();
  CHECK(r.failed == 1);
  REQUIRE(r.errors.size() == 1);
  CHECK_THAT(r.errors[0], Contains(std::string(kLive) + ": rotate: " + code));
  CHECK(f.ctx.recorded.empty());  // neither the rotation nor a delete
  CHECK(f.fs.removed().empty());
  CHECK(f.fs.Exists("/var/log/app/app.log-20251201T000000Z"));
  CHECK(f.fs.FileContents(kLive) == kText);
}

TEST_CASE("a rotation killed after any step loses and repeats no byte") {
  const RotationStep step =
      GENERATE(RotationStep::kIntentWritten, RotationStep::kArchiveWritten,
               RotationStep::kArchivePublished, RotationStep::kLiveCut);
  INFO(RotationStepName(step));
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\n");
  f.AddLive(kText);
  f.rotator.CrashAfter(step);
  ExecResult first = f.Run();
  CHECK(first.failed == 1);
  CHECK(f.fs.Exists("/var/log/app/.app.log.rtd-rotate"));
  f.clock.Advance(minutes(1));
  ExecResult second = f.Run();
  INFO((second.errors.empty() ? "" : second.errors[0]));
  CHECK(second.errors.empty());
  CHECK(f.Recorded(Verb::kRecover).size() == 1);
  CHECK(f.rotator.recoveries().size() == 1);
  // Every byte exactly once, in the archives; the live file empty; no
  // intent or temp left.
  std::string archived;
  for (const std::string& name : f.Names()) {
    CHECK(name.find(".rtd-") == std::string::npos);
    if (name != "app.log")
      archived += f.fs.FileContents(JoinPath(kLogDir, name));
  }
  CHECK(archived == kText);
  CHECK(f.fs.FileContents(kLive).empty());
}

// The plan is made before recovery runs: it counted a rotation of the
// whole live file, whose head recovery then cut, so the rotation moves
// nothing and must not make room by deleting the archive just recovered.
TEST_CASE("a rotation that moved nothing deletes nothing on its strength") {
  LogsFixture f;
  f.Build("max_file_size = 4K\nkeep = 1\ncompress = none\n");
  f.AddArchive("app.log-20251201T000000Z", 100);
  f.AddLive(kText);
  f.rotator.CrashAfter(RotationStep::kArchivePublished);
  f.Run();
  f.clock.Advance(minutes(1));
  ExecResult second = f.Run();
  CHECK(second.errors.empty());
  CHECK(f.Recorded(Verb::kRecover).size() == 1);
  CHECK(f.Recorded(Verb::kDelete).empty());
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
  f.clock.Advance(minutes(1));
  ExecResult third = f.Run();  // planned afresh: one archive too many
  CHECK(third.errors.empty());
  CHECK(f.Recorded(Verb::kDelete) ==
        Names{"/var/log/app/app.log-20251201T000000Z"});
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
}

TEST_CASE("an interrupted rotation that cannot be recovered blocks the file") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\n");
  f.AddLive(kText);
  f.rotator.CrashAfter(RotationStep::kArchivePublished);
  f.Run();
  f.rotator.FailNext(RotatorOp::kRecover, Status::Corruption("blocks moved"));
  f.clock.Advance(minutes(1));
  ExecResult r = f.Run();
  REQUIRE(r.errors.size() == 2);
  CHECK_THAT(r.errors[0], Contains("recovery: Corruption: blocks moved"));
  CHECK_THAT(r.errors[1], Contains("rotate: FailedPrecondition"));
  CHECK(f.Recorded(Verb::kRecover).empty());
  CHECK(f.fs.FileContents(kLive) == kText);  // not cut without recovery
  CHECK(f.fs.Exists("/var/log/app/.app.log.rtd-rotate"));
}

TEST_CASE("the copy and truncate fallback is recorded with its risk") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\n");
  f.AddLive(kText);
  f.rotator.RefuseCollapse(true);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  REQUIRE(f.ctx.recorded.size() == 1);
  CHECK_THAT(f.ctx.recorded[0].reason,
             Contains("copy+truncate fallback, 0 bytes at risk"));
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
}

TEST_CASE("numbered naming shifts every archive up before a rotation") {
  LogsFixture f;
  f.Build("max_file_size = 4K\ncompress = none\nnaming = numbered\n");
  f.AddArchive("app.log.1", 10);
  f.AddArchive("app.log.2", 20);
  f.AddLive(kText);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.Names() == Names{"app.log", "app.log.1", "app.log.2", "app.log.3"});
  CHECK(f.fs.FileContents("/var/log/app/app.log.1") == kText);
  CHECK(f.fs.StatPath("/var/log/app/app.log.2")->size == 10);
  CHECK(f.fs.StatPath("/var/log/app/app.log.3")->size == 20);
  CHECK(f.Recorded(Verb::kRotate) == Names{"/var/log/app/app.log.1"});
}

}  // namespace
}  // namespace retention::logs_policy_test

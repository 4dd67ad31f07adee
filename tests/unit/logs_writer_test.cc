// LogsPolicy's method reopen on fakes: the writer is told to reopen (a
// signal through its pid file, or a command), and the archive it still
// holds is compressed once it let go, or after LogsPolicy::kLetGoTimeout
// (timed through Clock::Sleep, which FakeClock answers at once).
#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

#include "unit/logs_fixture.h"

namespace retention::logs_writer_test {
namespace {

using Catch::Matchers::Contains;
using Names = std::vector<std::string>;

const std::string kText(5000, 'w');
const std::string kSignalKeys =
    "max_file_size = 4K\nmethod = reopen\nreopen_signal = USR1\n"
    "pid_file = /run/app.pid\n";
const std::string kSignalled =
    "signal " + std::to_string(SIGUSR1) + " /run/app.pid";
// How many times the executor asks before the let-go timeout ends its wait
// (it polls every 250 ms).
const int kTimeoutAsks = static_cast<int>(LogsPolicy::kLetGoTimeout /
                                          std::chrono::milliseconds(250));

TEST_CASE(
    "a reopen rotation moves the log aside, creates it anew and signals") {
  LogsFixture f;
  f.Build(kSignalKeys + "compress = none\ncreate_mode = 0640\n");
  f.AddLive(kText);
  const FileInfo before = *f.fs.StatPath(kLive);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.rotator.reopens() == Names{kSignalled});
  CHECK(f.rotator.rotations() ==
        Names{"rename " + std::string(kLive) + " -> " + kFirstArchive});
  auto archive = f.fs.StatPath(kFirstArchive);
  REQUIRE(archive.ok());
  CHECK(archive->SameIdentity(before));
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
  auto live = f.fs.StatPath(kLive);
  REQUIRE(live.ok());
  CHECK_FALSE(live->SameIdentity(before));
  CHECK(live->size == 0);
  CHECK(live->mode == 0640);
  CHECK(f.Recorded(Verb::kRotate) == Names{kFirstArchive});
}

TEST_CASE("a reopen command is run instead of a signal when configured") {
  LogsFixture f;
  f.Build(
      "max_file_size = 4K\nmethod = reopen\ncompress = none\n"
      "reopen_command = /usr/sbin/app-reopen --logs\n");
  f.AddLive(kText);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.rotator.reopens() == Names{"command /usr/sbin/app-reopen --logs"});
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
}

TEST_CASE("a reopen-rotated archive is compressed once the writer let go") {
  LogsFixture f;
  f.Build(kSignalKeys);  // compress = zstd
  f.AddLive(kText);
  f.rotator.SetLetGoAfter(3);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.rotator.writing_asks() == 4);  // held three times, then let go
  CHECK(f.Names() == Names{"app.log", "app.log-20260101T000000Z.zst"});
  CHECK(f.Unzstd(kFirstArchive + std::string(".zst")) == kText);
}

TEST_CASE(
    "an archive whose writer never lets go is compressed after the "
    "let-go timeout") {
  LogsFixture f;
  f.Build(kSignalKeys);
  f.AddLive(kText);
  SECTION("the writer was told but keeps the file open") {
    f.rotator.SetLetGoAfter(FakeLogRotator::kNeverLetsGo);
  }
  SECTION("the writer could not be told") {
    f.rotator.FailNext(RotatorOp::kSignal, Status::NotFound("no pid file"));
  }
  f.rotator.SetWriterPids({4242});
  ExecResult r = f.Run();
  CHECK(f.rotator.reopens() == Names{kSignalled});
  CHECK(f.rotator.writing_asks() == kTimeoutAsks);
  CHECK(f.Names() == Names{"app.log", "app.log-20260101T000000Z.zst"});
  CHECK(f.Unzstd(kFirstArchive + std::string(".zst")) == kText);
}

TEST_CASE("an archive that cannot be asked about waits for the timeout") {
  LogsFixture f;
  f.Build(kSignalKeys);
  f.AddLive(kText);
  for (int i = 0; i < kTimeoutAsks; ++i) {
    f.rotator.FailNext(RotatorOp::kIsOpenForWriting,
                       Status::FailedPrecondition("no lease, no /proc"));
  }
  f.Run();
  CHECK(f.rotator.writing_asks() == kTimeoutAsks);
  CHECK(f.Names() == Names{"app.log", "app.log-20260101T000000Z.zst"});
}

TEST_CASE(
    "a reopen rotation cut short before the new log exists is "
    "finished and the writer told") {
  LogsFixture f;
  f.Build(kSignalKeys + "compress = none\n");
  f.AddLive(kText);
  SECTION("killed after the rename") {
    f.rotator.CrashAfter(RotationStep::kLiveRenamed);
  }
  SECTION("no space for the new live file") {
    f.rotator.FailStep(RotationStep::kLiveCreated, ENOSPC);
  }
  ExecResult first = f.Run();
  CHECK(first.failed == 1);
  CHECK_FALSE(f.fs.Exists(kLive));
  CHECK(f.rotator.reopens().empty());  // not told of a half rotation
  f.clock.Advance(std::chrono::minutes(1));
  ExecResult second = f.Run();
  CHECK(second.errors.empty());
  REQUIRE(f.Recorded(Verb::kRecover).size() == 1);
  CHECK_THAT(
      f.ctx.recorded.back().reason,
      Contains("recreated after its rename to " + std::string(kFirstArchive)));
  CHECK(f.rotator.reopens() == Names{kSignalled});
  CHECK(f.fs.StatPath(kLive)->size == 0);
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
  CHECK_FALSE(f.fs.Exists("/var/log/app/.app.log.rtd-rotate"));
}

TEST_CASE(
    "a reopen rotation tells the writer once the new log exists, before "
    "the syncs that make it durable") {
  LogsFixture f;
  f.Build(kSignalKeys + "compress = none\n");
  f.AddLive(kText);
  // Cut short after the new live file exists: told already, the syncs
  // (journal commits, slow on a busy disk) had not come.
  f.rotator.CrashAfter(RotationStep::kLiveReplaced);
  ExecResult first = f.Run();
  CHECK(first.failed == 1);
  CHECK(f.rotator.reopens() == Names{kSignalled});
  CHECK(f.fs.StatPath(kLive)->size == 0);
  CHECK(f.fs.FileContents(kFirstArchive) == kText);
}

TEST_CASE("an early reopen rotation waits for its writer to near the cap; "
          "a shared_reopen set's does not") {
  LogsFixture f;
  const bool shared = GENERATE(false, true);
  f.Build(std::string("max_file_size = 8K\nmethod = reopen\n") +
          "reopen_signal = USR1\n"
          "pid_file = /run/app.pid\ncompress = none\n" +
          (shared ? "shared_reopen = yes\n" : ""));
  REQUIRE(kText.size() < 8192);
  f.AddLive(kText);
  // The wait takes 250 ms; rename, new file and signal 10 ms.
  f.rotator.OnChase([&](RotationResult* r) {
    f.clock.Advance(std::chrono::milliseconds(260));
    r->waited = std::chrono::milliseconds(250);
    r->finish = std::chrono::milliseconds(10);
  });
  f.logs().OnEarlyCrossing({"logs.app", kLive, kText.size(), 1e6, 4000});
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.rotator.reopens() == Names{kSignalled});
  REQUIRE(f.rotator.chases().size() == 1);
  const HeadChase chase = f.rotator.chases()[0];
  if (shared) {
    CHECK(chase.cap == 0);
    return;
  }
  CHECK(chase.cap == 8192);
  CHECK(chase.finish_time == LogsPolicy::kAssumedFinishTime);
  REQUIRE(chase.stopping);
  // The next chase plans its rename from this one's 10 ms.
  f.AddLive(kText);
  f.logs().OnEarlyCrossing({"logs.app", kLive, kText.size(), 1e6, 4000});
  r = f.Run();
  CHECK(r.errors.empty());
  REQUIRE(f.rotator.chases().size() == 2);
  CHECK(f.rotator.chases()[1].finish_time ==
        std::chrono::microseconds(12500));
}

}  // namespace
}  // namespace retention::logs_writer_test

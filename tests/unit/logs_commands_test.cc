// LogsPolicy's commands around a rotation on fakes: pre_rotate_command,
// post_rotate_command, shared_reopen, and the after-work a run cut short
// leaves owed (the `.LIVE.rtd-post` marker).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "unit/logs_fixture.h"

namespace retention::logs_commands_test {
namespace {

using Catch::Matchers::Contains;
using Names = std::vector<std::string>;

const std::string kText(5000, 'w');
const char kOwed[] = "/var/log/app/.app.log.rtd-post";

// One command call: "pre|post ARGV... FILES=a,b".
struct CommandLog {
  std::vector<std::string> calls;
  Status answer_pre = Status::Ok();
  Status answer_post = Status::Ok();
  std::function<void()> on_post;

  CommandRunner Runner() {
    return [this](const std::vector<std::string>& argv,
                  const std::vector<std::string>& env, Duration) {
      std::string call, stage, files;
      for (const std::string& e : env) {
        if (e.rfind("RETENTIOND_STAGE=", 0) == 0) stage = e.substr(17);
        if (e.rfind("RETENTIOND_FILES=", 0) == 0) files = e.substr(17);
      }
      std::replace(files.begin(), files.end(), '\n', ',');
      call = stage;
      for (const std::string& a : argv) call += " " + a;
      calls.push_back(call + " FILES=" + files);
      if (stage == "post" && on_post) on_post();
      return stage == "pre" ? answer_pre : answer_post;
    };
  }
};

struct CommandFixture : LogsFixture {
  CommandLog commands;
  CommandFixture() { services.run_command = commands.Runner(); }
};

const std::string kCommands =
    "max_file_size = 4K\ncompress = none\n"
    "pre_rotate_command = /usr/local/bin/pre --x\n"
    "post_rotate_command = /usr/local/bin/post\n";

TEST_CASE("pre and post rotate commands run around a rotation") {
  CommandFixture f;
  f.Build(kCommands);
  f.AddLive(kText);
  bool owed_during_post = false;
  f.commands.on_post = [&] { owed_during_post = f.fs.StatPath(kOwed).ok(); };
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.commands.calls ==
        Names{"pre /usr/local/bin/pre --x FILES=/var/log/app/app.log",
              "post /usr/local/bin/post FILES=/var/log/app/app.log"});
  CHECK(f.Recorded(Verb::kRotate) == Names{kFirstArchive});
  // Durable before the post command, gone after it.
  CHECK(owed_during_post);
  CHECK_FALSE(f.fs.StatPath(kOwed).ok());
}

// One run of kCommands over a live file past its cap; its one error.
std::string OnlyError(CommandFixture& f) {
  f.Build(kCommands);
  f.AddLive(kText);
  ExecResult r = f.Run();
  CHECK(r.failed == 1);
  REQUIRE(r.errors.size() == 1);
  return r.errors[0];
}

TEST_CASE("a failing pre rotate command leaves the file unrotated") {
  CommandFixture f;
  f.commands.answer_pre = Status::IoError("/usr/local/bin/pre exited 1");
  CHECK_THAT(OnlyError(f), Contains("not rotated: pre_rotate_command") &&
                               Contains("exited 1"));
  CHECK(f.commands.calls.size() == 1);  // no post command
  CHECK(f.Recorded(Verb::kRotate).empty());
  CHECK(f.Names() == Names{"app.log"});
  CHECK(f.fs.FileContents(kLive) == kText);
}

TEST_CASE("a failing post rotate command is reported after the rotation") {
  CommandFixture f;
  f.commands.answer_post = Status::Aborted("timed out after 30 s");
  CHECK_THAT(OnlyError(f), Contains("rotated, but post_rotate_command") &&
                               Contains("timed out"));
  CHECK(f.Recorded(Verb::kRotate) == Names{kFirstArchive});
  CHECK_FALSE(f.fs.StatPath(kOwed).ok());  // ran: not owed any more
}

const std::string kGlobReopen =
    "max_file_size = 4K\ncompress = none\nmethod = reopen\n"
    "reopen_signal = USR1\npid_file = /run/app.pid\n"
    "post_rotate_command = /usr/local/bin/post\n";

void AddThree(CommandFixture& f) {
  for (const char* name : {"a.log", "b.log", "c.log"}) {
    f.fs.AddFileWithContents(JoinPath(kLogDir, name), kText, f.clock.Now());
  }
}

TEST_CASE("shared_reopen signals once and runs one post command for a set") {
  CommandFixture f;
  f.BuildPaths("/var/log/app/*.log", kGlobReopen + "shared_reopen = yes\n");
  AddThree(f);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.Recorded(Verb::kRotate).size() == 3);
  CHECK(f.rotator.reopens().size() == 1);
  CHECK(f.commands.calls ==
        Names{"post /usr/local/bin/post FILES=/var/log/app/a.log,"
              "/var/log/app/b.log,/var/log/app/c.log"});
}

TEST_CASE("without shared_reopen each file of a set is signalled on its own") {
  CommandFixture f;
  f.BuildPaths("/var/log/app/*.log", kGlobReopen);
  AddThree(f);
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.rotator.reopens().size() == 3);
  CHECK(f.commands.calls.size() == 3);
}

TEST_CASE("a shared pre rotate command runs once, for the files to rotate") {
  CommandFixture f;
  f.BuildPaths("/var/log/app/*.log",
               kGlobReopen +
                   "shared_reopen = yes\n"
                   "pre_rotate_command = /usr/local/bin/pre\n");
  AddThree(f);
  f.fs.AddFileWithContents("/var/log/app/small.log", "x", f.clock.Now());
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  REQUIRE(f.commands.calls.size() == 2);
  CHECK(f.commands.calls[0] ==
        "pre /usr/local/bin/pre FILES=/var/log/app/a.log,/var/log/app/b.log,"
        "/var/log/app/c.log");
}

TEST_CASE("a rotation killed before its post command has it run next time") {
  CommandFixture f;
  f.Build(kCommands + "method = reopen\nreopen_command = /usr/sbin/reopen\n");
  f.AddLive(kText);
  // Killed once the new live file exists: nothing after that step ran.
  f.rotator.CrashAfter(RotationStep::kLiveCreated);
  ExecResult first = f.Run();
  CHECK(first.failed == 1);
  CHECK(f.commands.calls.size() == 1);  // the pre command only
  CHECK(f.fs.StatPath(kOwed).ok());     // owed, durably
  ExecResult second = f.Run();
  INFO((second.errors.empty() ? "" : second.errors[0]));
  CHECK(second.failed == 0);
  REQUIRE(f.commands.calls.size() == 2);
  CHECK(f.commands.calls[1] ==
        "post /usr/local/bin/post FILES=/var/log/app/app.log");
  CHECK_FALSE(f.fs.StatPath(kOwed).ok());
  bool recorded = false;
  for (const Action& a : f.ctx.recorded) {
    if (a.verb == Verb::kRecover &&
        a.reason.find("post_rotate_command ran") != std::string::npos) {
      recorded = true;
    }
  }
  CHECK(recorded);
}

TEST_CASE("owed after-work found at start is done once and recorded") {
  CommandFixture f;
  f.Build(kCommands);
  f.AddLive("small");
  f.fs.AddFile(kOwed, 0, f.clock.Now());
  // A dry run says so and runs nothing.
  Plan plan = f.MakePlan();
  REQUIRE(plan.warnings.size() == 1);
  CHECK_THAT(plan.warnings[0], Contains("interrupted run are done first"));
  CHECK(f.commands.calls.empty());
  ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(f.commands.calls ==
        Names{"post /usr/local/bin/post FILES=/var/log/app/app.log"});
  CHECK(f.Recorded(Verb::kRecover) == Names{kLive});
  CHECK_FALSE(f.fs.StatPath(kOwed).ok());
  f.Run();
  CHECK(f.commands.calls.size() == 1);
}

TEST_CASE("a logs dry run runs no rotate command") {
  CommandFixture f;
  f.Build(kCommands);
  f.AddLive(kText);
  Plan plan = f.MakePlan();
  CHECK_FALSE(plan.actions.empty());
  CHECK(f.commands.calls.empty());
  CHECK(f.Names() == Names{"app.log"});
}

}  // namespace
}  // namespace retention::logs_commands_test

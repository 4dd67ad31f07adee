// Invariant 5 for log rotation: a rotating process killed with SIGKILL at
// any moment, then RecoverRotation, leaves every line exactly once. Real
// writer processes append throughout; the rotating process is a fork of the
// test, killed at random moments and at each durable step in turn.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <random>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_intent.h"
#include "os/log_writer.h"
#include "os/rotation_env.h"

namespace retention::log_rotation_crash_test {
namespace {

using Catch::Matchers::Contains;

// The next free archive index after those present.
int NextIndex(RotationEnv& env) {
  int next = 0;
  for (const std::string& name : env.ArchiveNames()) {
    CHECK_THAT(name, !Catch::Matchers::EndsWith(".rtd-tmp"));
    next = std::max(next, std::stoi(name.substr(5)) + 1);
  }
  return next;
}

// Rotates app.log whenever it has three blocks, forever; exits non-zero
// (which fails the test) on any error. Only a kill stops it.
[[noreturn]] void RotateForever(RotationEnv& env, int index,
                                const RotationStepHook& hook = {}) {
  for (;;) {
    StatusOr<FileInfo> info = env.fs().StatAt(env.logs(), "app.log");
    if (!info.ok()) _exit(3);
    if (info->size < 3 * 4096) continue;
    StatusOr<RotationResult> r =
        RotateByCollapse(env.logs(), "app.log", env.archive(),
                         TestArchiveName(index), *info, hook);
    if (!r.ok() || !r->lossless) _exit(4);
    if (r->bytes > 0) ++index;
  }
}

// What RecoverRotation reported, in a word, for the summary.
std::string Outcome(const std::vector<std::string>& done) {
  if (done.empty()) return "nothing pending";
  const std::string& m = done.front();
  for (const char* key : {"incomplete", "temp removed", "had not published",
                          "collapsed after the crash", "had completed"}) {
    if (m.find(key) != std::string::npos) return key;
  }
  return m;
}

std::vector<std::string> MustRecover(RotationEnv& env) {
  StatusOr<std::vector<std::string>> done =
      RecoverRotation(env.logs(), "app.log", env.archive());
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  CHECK_FALSE(env.fs().StatAt(env.logs(), IntentName("app.log")).ok());
  return *done;
}

void CheckAllLinesOnce(RotationEnv& env, LineWriter& writer) {
  const int64_t written = writer.Stop();
  REQUIRE(written > 0);
  uint64_t lines = 0;
  CHECK(CheckLines(env.Concatenated("app.log"), &lines) == "");
  CHECK(lines == static_cast<uint64_t>(written));
  CHECK(env.ArchivesOfWholeLines() == "");
}

TEST_CASE("rotations killed at random moments lose and duplicate nothing",
          "[rotation]") {
  RotationEnv env;
  if (!env.CollapseWorks()) {
    WARN("skipped: " << env.Base() << " does not collapse ranges");
    return;
  }
  LineWriter writer(env.Log("app.log"));
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> delay_us(0, 30000);
  std::map<std::string, int> outcomes;
  constexpr int kKills = 60;
  for (int kill = 0; kill < kKills; ++kill) {
    const int index = NextIndex(env);
    int started[2];
    REQUIRE(pipe(started) == 0);
    // The rotator says when its first rotation began, so that every kill
    // lands in rotating rather than in starting up; then a random delay
    // picks the moment.
    Child rotator([&] {
      close(started[0]);
      RotateForever(env, index, [&](RotationStep step) {
        if (step == RotationStep::kIntentWritten && started[1] >= 0) {
          (void)!write(started[1], "S", 1);
          close(started[1]);
          started[1] = -1;
        }
      });
    });
    close(started[1]);
    char byte = 0;
    const bool began = read(started[0], &byte, 1) == 1;
    close(started[0]);
    usleep(delay_us(random));
    const int status = rotator.Kill(SIGKILL);
    INFO("kill " << kill);
    REQUIRE(began);
    REQUIRE(WIFSIGNALED(status));  // not an exit: the rotator never failed
    ++outcomes[Outcome(MustRecover(env))];
  }
  const int archives = NextIndex(env);
  CheckAllLinesOnce(env, writer);
  std::string summary;
  for (const auto& [what, count] : outcomes) {
    summary += " " + what + ": " + std::to_string(count) + ";";
  }
  WARN("kill -9 loop: " << kKills << " kills, " << archives
                        << " archives; recovery found" << summary);
}

TEST_CASE("a collapse rotation killed after each step recovers exactly",
          "[rotation]") {
  RotationEnv env;
  if (!env.CollapseWorks()) {
    WARN("skipped: " << env.Base() << " does not collapse ranges");
    return;
  }
  LineWriter writer(env.Log("app.log"));
  const std::pair<RotationStep, const char*> steps[] = {
      {RotationStep::kIntentWritten, "temp removed"},
      {RotationStep::kArchiveWritten, "temp removed"},
      {RotationStep::kArchivePublished, "collapsed after the crash"},
      {RotationStep::kLiveCut, "had completed"},
  };
  for (const auto& [step, outcome] : steps) {
    INFO("killed after: " << RotationStepName(step));
    const int index = NextIndex(env);
    Child rotator([&, step = step] {
      RotateForever(env, index, [&](RotationStep now) {
        if (now == step) raise(SIGKILL);
      });
    });
    REQUIRE(WIFSIGNALED(rotator.Wait()));
    std::vector<std::string> done = MustRecover(env);
    REQUIRE(done.size() == 1);
    CHECK_THAT(done[0], Contains(outcome));
    // And the next rotation goes through.
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), TestArchiveName(NextIndex(env)),
        env.StatLog("app.log"));
    REQUIRE(r.ok());
  }
  CheckAllLinesOnce(env, writer);
}

// The fallback's window loses what a busy writer writes, so its crash steps
// are checked on an idle file, where it must be exact too.
TEST_CASE("a copy+truncate rotation killed after each step recovers exactly",
          "[rotation]") {
  RotationEnv env(/*tmpfs=*/true);
  if (!env.mounted()) {
    WARN("skipped: cannot mount a tmpfs here");
    return;
  }
  const std::pair<RotationStep, const char*> steps[] = {
      {RotationStep::kIntentWritten, "temp removed"},
      {RotationStep::kArchiveWritten, "temp removed"},
      {RotationStep::kArchivePublished, "withdrawn"},
      {RotationStep::kLiveCut, "had completed"},
  };
  uint64_t next_line = 0;
  for (const auto& [step, outcome] : steps) {
    INFO("killed after: " << RotationStepName(step));
    {
      std::ofstream out(env.Log("app.log"), std::ios::binary | std::ios::app);
      for (uint64_t end = next_line + 3000; next_line < end; ++next_line) {
        out << LogLine(next_line);
      }
    }
    const FileInfo info = env.StatLog("app.log");
    const int index = NextIndex(env);
    Child rotator([&, step = step] {
      (void)RotateByCollapse(env.logs(), "app.log", env.archive(),
                             TestArchiveName(index), info,
                             [&](RotationStep now) {
                               if (now == step) raise(SIGKILL);
                             });
    });
    REQUIRE(WIFSIGNALED(rotator.Wait()));
    std::vector<std::string> done = MustRecover(env);
    REQUIRE(done.size() == 1);
    CHECK_THAT(done[0], Contains(outcome));
    uint64_t lines = 0;
    CHECK(CheckLines(env.Concatenated("app.log"), &lines) == "");
    CHECK(lines == next_line);
  }
}

TEST_CASE("a rename rotation killed after each step recovers exactly",
          "[rotation]") {
  RotationEnv env;
  const std::string pid_file = env.Base() + "/app.pid";
  { std::ofstream create(env.Log("app.log")); }
  REQUIRE(chown(env.Log("app.log").c_str(), 1234, 5678) == 0);
  REQUIRE(chmod(env.Log("app.log").c_str(), 0640) == 0);
  LineWriter writer(env.Log("app.log"), true, pid_file);
  const std::pair<RotationStep, const char*> steps[] = {
      {RotationStep::kIntentWritten, "had not happened"},
      {RotationStep::kLiveRenamed, "recreated after its rename"},
      {RotationStep::kLiveCreated, "the writer must be told to reopen"},
  };
  for (const auto& [step, outcome] : steps) {
    INFO("killed after: " << RotationStepName(step));
    const FileInfo info = env.StatLog("app.log");
    const int index = NextIndex(env);
    Child rotator([&, step = step] {
      (void)RotateByRename(env.logs(), "app.log", env.archive(),
                           TestArchiveName(index), info, {},
                           [&](RotationStep now) {
                             if (now == step) raise(SIGKILL);
                           });
    });
    REQUIRE(WIFSIGNALED(rotator.Wait()));
    std::vector<std::string> done = MustRecover(env);
    REQUIRE(done.size() == 1);
    CHECK_THAT(done[0], Contains(outcome));
    const FileInfo now = env.StatLog("app.log");
    CHECK(now.mode == 0640u);
    CHECK(now.uid == 1234u);
    CHECK(now.gid == 5678u);
    if (step != RotationStep::kIntentWritten) {
      REQUIRE(SignalWriter(pid_file, SIGUSR1).ok());
      REQUIRE(writer.AwaitReopen());
    }
  }
  CheckAllLinesOnce(env, writer);
}

}  // namespace
}  // namespace retention::log_rotation_crash_test

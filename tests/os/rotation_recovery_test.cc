// RecoverRotation on the states a killed rotation leaves, including those a
// content comparison would get wrong (a log of identical lines) and those
// it must refuse to guess about. Crashes are real: a forked rotation kills
// itself with SIGKILL after the named step.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_intent.h"
#include "os/log_writer.h"
#include "os/rotation_env.h"

namespace retention::rotation_recovery_test {
namespace {

using Catch::Matchers::Contains;
using Code = Status::Code;

// 64-byte lines, all alike: any block-aligned window of the log reads the
// same as any other.
void AppendSameLines(RotationEnv& env, size_t bytes) {
  std::ofstream out(env.Log("app.log"), std::ios::binary | std::ios::app);
  const std::string line = std::string(63, 'x') + "\n";
  for (size_t done = 0; done < bytes; done += line.size()) out << line;
}

void KillRotationAfter(RotationEnv& env, RotationStep step) {
  const FileInfo info = env.StatLog("app.log");
  Child rotator([&] {
    (void)RotateByCollapse(env.logs(), "app.log", env.archive(), "a.1", info,
                           [&](RotationStep now) {
                             if (now == step) raise(SIGKILL);
                           });
  });
  REQUIRE(WIFSIGNALED(rotator.Wait()));
  REQUIRE(env.fs().StatAt(env.logs(), IntentName("app.log")).ok());
}

bool IntentPending(RotationEnv& env) {
  return env.fs().StatAt(env.logs(), IntentName("app.log")).ok();
}

TEST_CASE("recovery is exact for a log of identical lines", "[rotation]") {
  RotationEnv env;
  if (!env.CollapseWorks()) {
    WARN("skipped: " << env.Base() << " does not collapse ranges");
    return;
  }
  AppendSameLines(env, 4 * 4096 + 64);
  RotationStep step = RotationStep::kLiveCut;
  const char* outcome = "";
  SECTION("killed after the collapse") {
    step = RotationStep::kLiveCut;
    outcome = "had completed";
  }
  SECTION("killed before the collapse") {
    step = RotationStep::kArchivePublished;
    outcome = "collapsed after the crash";
  }
  KillRotationAfter(env, step);
  // The writer goes on while the daemon is down: now the live file's head
  // matches the archive byte for byte either way.
  AppendSameLines(env, 8 * 4096);
  StatusOr<std::vector<std::string>> done =
      RecoverRotation(env.logs(), "app.log", env.archive());
  REQUIRE(done.ok());
  REQUIRE(done->size() == 1);
  CHECK_THAT((*done)[0], Contains(outcome));
  CHECK(env.Concatenated("app.log").size() == 12 * 4096 + 64);
  CHECK_FALSE(IntentPending(env));
}

TEST_CASE("recovery keeps what it cannot account for", "[rotation]") {
  RotationEnv env;
  if (!env.CollapseWorks()) {
    WARN("skipped: " << env.Base() << " does not collapse ranges");
    return;
  }
  for (uint64_t n = 0; n < 2000; ++n) {
    std::ofstream(env.Log("app.log"), std::ios::app) << LogLine(n);
  }
  const std::string live = RotationEnv::Contents(env.Log("app.log"));

  SECTION("a foreign file under the archive name is no copy of the head") {
    KillRotationAfter(env, RotationStep::kIntentWritten);
    // The temp is lost, as a power cut may lose it before its fsync.
    for (const std::string& name : env.ArchiveNames()) {
      REQUIRE(unlink(env.Archived(name).c_str()) == 0);
    }
    std::ofstream(env.Archived("a.1")) << "someone else's";
    StatusOr<std::vector<std::string>> done =
        RecoverRotation(env.logs(), "app.log", env.archive());
    REQUIRE(done.ok());
    CHECK_THAT(done->at(0), Contains("nothing collapsed"));
    CHECK(RotationEnv::Contents(env.Archived("a.1")) == "someone else's");
    CHECK(RotationEnv::Contents(env.Log("app.log")) == live);
    CHECK_FALSE(IntentPending(env));
  }
  SECTION("a live file replaced since keeps the archive too") {
    KillRotationAfter(env, RotationStep::kArchivePublished);
    std::ofstream(env.Log("new")) << "new";
    REQUIRE(rename(env.Log("new").c_str(), env.Log("app.log").c_str()) == 0);
    StatusOr<std::vector<std::string>> done =
        RecoverRotation(env.logs(), "app.log", env.archive());
    REQUIRE(done.ok());
    CHECK_THAT(done->at(0), Contains("replaced since its rotation"));
    CHECK(live.compare(0, RotationEnv::Contents(env.Archived("a.1")).size(),
                       RotationEnv::Contents(env.Archived("a.1"))) == 0);
    CHECK(RotationEnv::Contents(env.Log("app.log")) == "new");
  }
  SECTION("byte 0 at an address the intent never saw is not guessed at") {
    KillRotationAfter(env, RotationStep::kArchivePublished);
    const std::string intent_path = env.Log(IntentName("app.log"));
    StatusOr<RotationIntent> intent =
        ParseIntent(RotationEnv::Contents(intent_path));
    REQUIRE(intent.ok());
    intent->phys_head += 4096;  // as if the blocks had been moved
    std::ofstream(intent_path, std::ios::trunc) << FormatIntent(*intent);
    StatusOr<std::vector<std::string>> done =
        RecoverRotation(env.logs(), "app.log", env.archive());
    CHECK(done.status().code() == Code::kCorruption);
    CHECK(IntentPending(env));
    CHECK(RotationEnv::Contents(env.Log("app.log")) == live);
  }
  SECTION("another archive directory than the rotation's is refused") {
    KillRotationAfter(env, RotationStep::kArchiveWritten);
    StatusOr<std::vector<std::string>> done =
        RecoverRotation(env.logs(), "app.log", env.logs());
    CHECK(done.status().code() == Code::kInvalidArgument);
    CHECK(IntentPending(env));
  }
}

TEST_CASE("an intent torn before its fsync is dropped", "[rotation]") {
  RotationEnv env;
  std::ofstream(env.Log("app.log")) << "data\n";
  std::ofstream(env.Log(IntentName("app.log")))
      << "retentiond rotation intent 1\nmethod coll";
  StatusOr<std::vector<std::string>> done =
      RecoverRotation(env.logs(), "app.log", env.archive());
  REQUIRE(done.ok());
  REQUIRE(done->size() == 1);
  CHECK_THAT(done->at(0), Contains("incomplete"));
  CHECK_FALSE(IntentPending(env));
  CHECK(RotationEnv::Contents(env.Log("app.log")) == "data\n");
}

// Issue 15.10: what someone planted at the intent's name is never followed,
// nor left to stall every later rotation of the log: it is removed.
TEST_CASE("an intent someone else wrote is not followed, and goes",
          "[rotation]") {
  RotationEnv env;
  std::ofstream(env.Log("app.log")) << "data\n";
  const std::string intent = env.Log(IntentName("app.log"));
  SECTION("another user's intent") {
    RotationIntent forged;
    forged.method = RotationIntent::Method::kRename;
    forged.archive = "a.1";
    forged.mode = 04755;
    std::ofstream(intent) << FormatIntent(forged);
    REQUIRE(chown(intent.c_str(), 4321, 4321) == 0);
  }
  SECTION("a symlink") { REQUIRE(symlink("/etc/passwd", intent.c_str()) == 0); }
  SECTION("a FIFO") { REQUIRE(mkfifo(intent.c_str(), 0600) == 0); }
  StatusOr<std::vector<std::string>> done =
      RecoverRotation(env.logs(), "app.log", env.archive());
  INFO(done.status().ToString());
  REQUIRE(done.ok());
  REQUIRE(done->size() == 1);
  CHECK_THAT(done->at(0), Contains("not written by retentiond"));
  CHECK_FALSE(IntentPending(env));
  CHECK(RotationEnv::Contents(env.Log("app.log")) == "data\n");
  CHECK(env.ArchiveNames().empty());
  const FileInfo info = env.StatLog("app.log");
  CHECK(RotateByRename(env.logs(), "app.log", env.archive(), "a.1", info, {})
            .ok());
}

TEST_CASE("recovery with nothing pending does nothing", "[rotation]") {
  RotationEnv env;
  std::ofstream(env.Log("app.log")) << "data\n";
  StatusOr<std::vector<std::string>> done =
      RecoverRotation(env.logs(), "app.log", env.archive());
  REQUIRE(done.ok());
  CHECK(done->empty());
}

}  // namespace
}  // namespace retention::rotation_recovery_test

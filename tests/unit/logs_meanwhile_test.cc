// A run's deletions done while its chase waits for the writer
// (HeadChase::meanwhile, logs_delete.cc), on the LogsFixture fakes: the
// fake rotator's chase asks as the real one does between two looks at the
// live file.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "unit/logs_fixture.h"

namespace retention::logs_meanwhile_test {
namespace {

using Names = std::vector<std::string>;
using std::chrono::milliseconds;

const std::string kOld = "/var/log/app/app.log-20251201T000000Z";

// Below the 8K cap of the sets here.
std::string Lines() {
  std::string text;
  for (int i = 0; text.size() < 6000; ++i) {
    text += "line " + std::to_string(i) + "\n";
  }
  return text;
}

// A set at 6000 of its 8K cap, early (the watcher's notice), with one
// archive beyond keep = 1.
void EarlyWithOneToDelete(LogsFixture& f) {
  f.Build("max_file_size = 8K\ncompress = none\nkeep = 1\n");
  f.fs.AddFile(kOld, 100, f.clock.Now());
  f.AddLive(Lines());
  f.logs().OnEarlyCrossing({"logs.app", kLive, 6000, 1e6, 4000});
}

TEST_CASE("a chase deletes what the run would delete after it, if it fits") {
  LogsFixture f;
  EarlyWithOneToDelete(f);
  std::vector<bool> said;
  f.rotator.WhileChasing([&f, &said](const HeadChase& chase,
                                     RotationResult*) {
    REQUIRE(chase.meanwhile);
    // Not in 500 ms: a deletion is planned to take 1 s until timed.
    said.push_back(chase.meanwhile(milliseconds(500)));
    CHECK(f.fs.removed().empty());
    said.push_back(chase.meanwhile(milliseconds(1500)));
    CHECK(f.fs.removed() == Names{kOld});
    said.push_back(chase.meanwhile(milliseconds(1500)));  // none left
  });
  const ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(r.done == 2);
  CHECK(said == std::vector<bool>{false, true, false});
  // Recorded once, before the rotation it was done in.
  REQUIRE(f.ctx.recorded.size() == 2);
  CHECK(f.ctx.recorded[0].verb == Verb::kDelete);
  CHECK(f.ctx.recorded[0].target == kOld);
  CHECK(f.ctx.recorded[1].verb == Verb::kRotate);
  CHECK(f.fs.removed() == Names{kOld});
}

TEST_CASE("a chase that had no time for it leaves the deletion to the run") {
  LogsFixture f;
  EarlyWithOneToDelete(f);
  std::vector<bool> said;
  f.rotator.WhileChasing([&said](const HeadChase& chase, RotationResult*) {
    said.push_back(chase.meanwhile(milliseconds(1)));
  });
  const ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(said == std::vector<bool>{false});
  REQUIRE(f.ctx.recorded.size() == 2);
  CHECK(f.ctx.recorded[0].verb == Verb::kRotate);
  CHECK(f.ctx.recorded[1].verb == Verb::kDelete);
  CHECK(f.fs.removed() == Names{kOld});
}

TEST_CASE("numbered names are never deleted during a chase") {
  // The plan names them as the run's rotations leave them.
  LogsFixture f;
  f.Build("max_file_size = 8K\ncompress = none\nkeep = 1\n"
          "naming = numbered\n");
  f.fs.AddFile("/var/log/app/app.log.1", 100, f.clock.Now());
  f.AddLive(Lines());
  f.logs().OnEarlyCrossing({"logs.app", kLive, 6000, 1e6, 4000});
  std::vector<bool> said;
  f.rotator.WhileChasing(
      [&f, &said](const HeadChase& chase, RotationResult*) {
        said.push_back(chase.meanwhile(milliseconds(1500)));
        CHECK(f.fs.removed().empty());
      });
  const ExecResult r = f.Run();
  CHECK(r.errors.empty());
  CHECK(said == std::vector<bool>{false});
  // The run deletes it after the rotation, under its shifted name.
  CHECK(f.Recorded(Verb::kDelete) == Names{"/var/log/app/app.log.2"});
}

}  // namespace
}  // namespace retention::logs_meanwhile_test

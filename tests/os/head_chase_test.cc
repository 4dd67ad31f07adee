// A truncate rotation that chases its writer (HeadChase, log_rotator.h):
// the head is copied ahead of the cut into an unnamed file and the cut
// comes at the cap, after the wait allowed, or when asked to stop; a live
// file shrunk or rewritten meanwhile is not cut, and a kill during the
// chase leaves nothing behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "kinds/logs/log_rotation.h"
#include "kinds/logs/rotation_intent.h"
#include "kinds/logs/rotation_io_posix.h"
#include "os/log_writer.h"
#include "os/rotation_env.h"

namespace retention::head_chase_test {
namespace {

using Code = Status::Code;
using std::chrono::milliseconds;

// Lines [from, to) appended to `path`; returns the bytes written.
uint64_t AppendLines(const std::string& path, uint64_t from, uint64_t to) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  uint64_t bytes = 0;
  for (uint64_t n = from; n < to; ++n) {
    const std::string line = LogLine(n);
    out << line;
    bytes += line.size();
  }
  return bytes;
}

// Nothing but the live file: no intent, no carry, no temp, no archive.
void CheckUntouched(RotationEnv& env) {
  CHECK_FALSE(env.fs().StatAt(env.logs(), IntentName("app.log")).ok());
  CHECK_FALSE(env.fs().StatAt(env.logs(), NewCarryName("app.log")).ok());
  CHECK(env.ArchiveNames().empty());
}

// False, with a warning, where the test's filesystem does not collapse.
bool Collapses(const RotationEnv& env) {
  if (env.CollapseWorks()) return true;
  WARN("skipped: " << env.Base() << " does not collapse ranges");
  return false;
}

// A live file of 20,000 lines and no writer (TEST_CASE_METHOD: the tests
// read env, path, size and info as their own).
struct StillLog {
  RotationEnv env;
  std::string path = env.Log("app.log");
  uint64_t size = AppendLines(path, 0, 20000);
  FileInfo info = env.StatLog("app.log");
};

HeadChase Chase(uint64_t cap, Duration max_wait) {
  HeadChase chase;
  chase.cap = cap;
  chase.max_wait = max_wait;
  return chase;
}

TEST_CASE("a chased head is cut at the cap of a busy writer, no line lost",
          "[rotation]") {
  RotationEnv env;
  if (!Collapses(env)) return;
  LineWriter writer(env.Log("app.log"));
  constexpr uint64_t kAhead = 4u << 20;
  for (int i = 0; i < 5; ++i) {
    FileInfo info = env.StatLog("app.log");
    while (info.size < 64 * 1024) info = env.StatLog("app.log");
    const uint64_t cap = info.size + kAhead;
    StatusOr<RotationResult> r =
        RotateByCollapse(env.logs(), "app.log", env.archive(),
                         TestArchiveName(i), info, {},
                         Chase(cap, std::chrono::seconds(30)));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->lossless);
    // No finish time planned: cut once the file reached the cap, back to
    // its last whole line below the last whole block.
    CHECK(r->bytes + 4096 + 64 > cap);
    CHECK(r->finish > Duration::zero());
    CHECK(RotationEnv::LastByte(env.Archived(TestArchiveName(i))) == '\n');
  }
  const int64_t written = writer.Stop();
  REQUIRE(written > 0);
  CHECK(env.AllLinesOnce("app.log", written) == "");
  CHECK_FALSE(env.fs().StatAt(env.logs(), IntentName("app.log")).ok());
}

TEST_CASE_METHOD(StillLog,
                 "a chase whose writer stops cuts after its wait, or when "
                 "stopped",
                 "[rotation]") {
  if (!Collapses(env)) return;
  SECTION("after max_wait") {
    const auto start = std::chrono::steady_clock::now();
    StatusOr<RotationResult> r =
        RotateByCollapse(env.logs(), "app.log", env.archive(), "a.1", info, {},
                         Chase(2 * size, milliseconds(200)));
    REQUIRE(r.ok());
    // It waited (its syncs, slow on a busy disk, count as work) until its
    // 200 ms were up, and not much longer.
    CHECK(r->waited > Duration::zero());
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= milliseconds(200));
    CHECK(took < std::chrono::seconds(5));
    CHECK(r->bytes + 4096 + 64 > size);
  }
  SECTION("when stopping") {
    HeadChase chase = Chase(2 * size, std::chrono::seconds(60));
    chase.stopping = [] { return true; };
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), "a.1", info, {}, chase);
    REQUIRE(r.ok());
    CHECK(r->waited == Duration::zero());
    CHECK(r->bytes + 4096 + 64 > size);
  }
  CHECK(env.AllLinesOnce("app.log", 20000) == "");
}

TEST_CASE("a chase whose write-back lags cuts closer to the cap",
          "[rotation]") {
  constexpr uint64_t kM = 1 << 20;
  HeadChase chase = Chase(200 * kM, std::chrono::seconds(5));
  chase.finish_time = milliseconds(400);
  const double rate = 100e6;  // 40 MB in the finish time, 10 in a quarter
  const uint64_t cut_at = 200 * kM - 40000000;
  const uint64_t closer = 200 * kM - 10000000;
  // Below its cut point, or able to take the whole file or half the cap:
  // at the cut point.
  CHECK(posix::ChaseDueAt(chase, rate, 100 * kM, 0) == cut_at);
  CHECK(posix::ChaseDueAt(chase, rate, 170 * kM, 140 * kM) == cut_at);
  CHECK(posix::ChaseDueAt(chase, rate, 170 * kM, 84 * kM) == cut_at);
  // Past it with 16 MiB beyond what is written back, less than half: a
  // quarter of the finish time before the cap.
  CHECK(posix::ChaseDueAt(chase, rate, 170 * kM, 0) == closer);
  CHECK(posix::ChaseDueAt(chase, rate, 170 * kM, 83 * kM) == closer);
}

TEST_CASE_METHOD(StillLog,
                 "a chase does the caller's work while it waits, as its wait",
                 "[rotation]") {
  if (!Collapses(env)) return;
  HeadChase chase = Chase(2 * size, milliseconds(300));
  std::vector<Duration> asked;
  chase.meanwhile = [&](Duration time_left) {
    asked.push_back(time_left);
    if (asked.size() > 2) return false;
    std::this_thread::sleep_for(milliseconds(60));
    return true;
  };
  SECTION("truncate") {
    StatusOr<RotationResult> r = RotateByCollapse(
        env.logs(), "app.log", env.archive(), "a.1", info, {}, chase);
    REQUIRE(r.ok());
    CHECK(r->waited >= milliseconds(120));
    CHECK(r->bytes + 4096 + 64 > size);
  }
  SECTION("reopen") {
    StatusOr<RotationResult> r =
        RotateByRename(env.logs(), "app.log", env.archive(), "a.1", info, {},
                       {}, chase);
    REQUIRE(r.ok());
    CHECK(r->waited >= milliseconds(120));
    CHECK(r->bytes == size);
  }
  // Asked at each wait until the cut; a writer that stopped never brings
  // the file to its cut (the wait ends at max_wait).
  REQUIRE(asked.size() > 3);
  CHECK(asked[0] == Duration::max());
}

TEST_CASE_METHOD(StillLog,
                 "a chase gives its caller the time left at the watcher's "
                 "rate before it has one of its own",
                 "[rotation]") {
  if (!Collapses(env)) return;
  // The watcher saw the writer add `size` a second: the cut (the cap,
  // 2 * size) is a second away. A reopen chase that said "unknown" here
  // let a deletion of 1.1 s run, and the writer passed the cap by 15%.
  HeadChase chase = Chase(2 * size, milliseconds(100));
  chase.bytes_per_second = static_cast<double>(size);
  std::vector<Duration> asked;
  chase.meanwhile = [&](Duration time_left) {
    asked.push_back(time_left);
    return false;
  };
  SECTION("truncate") {
    REQUIRE(RotateByCollapse(env.logs(), "app.log", env.archive(), "a.1",
                             info, {}, chase)
                .ok());
  }
  SECTION("reopen") {
    REQUIRE(RotateByRename(env.logs(), "app.log", env.archive(), "a.1", info,
                           {}, {}, chase)
                .ok());
  }
  REQUIRE(!asked.empty());
  CHECK(asked[0] > milliseconds(900));
  CHECK(asked[0] <= std::chrono::seconds(1));
}

TEST_CASE_METHOD(StillLog,
                 "a live file shrunk or rewritten while its head is chased is "
                 "not cut",
                 "[rotation]") {
  if (!Collapses(env)) return;
  // Another tool's copytruncate while the head is copied: the file is
  // emptied and written again, shorter or longer than what was copied.
  const uint64_t again = GENERATE(uint64_t{100}, uint64_t{40000});
  HeadChase chase = Chase(4 * size, std::chrono::seconds(2));
  bool rewritten = false;
  chase.stopping = [&] {
    if (!rewritten) {
      rewritten = true;
      REQUIRE(truncate(path.c_str(), 0) == 0);
      AppendLines(path, 1000000, 1000000 + again);
    }
    return again > 20000;  // a longer file is compared at once
  };
  StatusOr<RotationResult> r = RotateByCollapse(
      env.logs(), "app.log", env.archive(), "a.1", info, {}, chase);
  CHECK(r.status().code() == Code::kAborted);
  CheckUntouched(env);
  std::string expected;
  for (uint64_t n = 1000000; n < 1000000 + again; ++n) expected += LogLine(n);
  CHECK(RotationEnv::Contents(path) == expected);
}

TEST_CASE_METHOD(StillLog,
                 "a rotation killed while it chases its head leaves nothing",
                 "[rotation]") {
  if (!Collapses(env)) return;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  Child child([&] {
    HeadChase chase = Chase(2 * size, std::chrono::seconds(60));
    chase.stopping = [&] {
      if (write(fds[1], "C", 1) != 1) _exit(3);  // chasing
      return false;
    };
    (void)RotateByCollapse(env.logs(), "app.log", env.archive(), "a.1", info,
                           {}, chase);
    _exit(2);
  });
  char c = 0;
  REQUIRE(read(fds[0], &c, 1) == 1);
  kill(child.pid(), SIGKILL);
  const int status = child.Wait();
  CHECK(WIFSIGNALED(status));
  close(fds[0]);
  close(fds[1]);
  StatusOr<std::vector<std::string>> recovered =
      RecoverRotation(env.logs(), "app.log", env.archive());
  REQUIRE(recovered.ok());
  CHECK(recovered->empty());
  CheckUntouched(env);
  CHECK(env.StatLog("app.log").size == size);
}

}  // namespace
}  // namespace retention::head_chase_test

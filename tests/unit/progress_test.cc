// Progress of a run in flight (core/progress.h) on a fake clock: done of
// planned, the rate since the run began, the time left, and how often a
// terminal is asked to redraw.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/progress.h"
#include "fakes/fake_clock.h"

namespace retention::progress_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct RecordingListener final : ProgressListener {
  void Show(const ProgressSnapshot& p) override {
    lines.push_back(FormatProgress(p));
  }
  void Clear() override { lines.push_back("(cleared)"); }
  std::vector<std::string> lines;
};

TEST_CASE("progress gives done of planned, the rate and the time left",
          "[progress]") {
  FakeClock clock;
  ProgressBoard board(clock);
  board.SetUnit("rows.analytics", "row");
  board.Begin("rows.analytics", 50000);
  auto p = board.Find("rows.analytics");
  REQUIRE(p);
  CHECK(p->done == 0);
  CHECK_FALSE(p->rate);  // nothing done: no rate, no time left
  CHECK_FALSE(p->eta);
  CHECK(FormatProgress(*p) == "rows.analytics: 0 of 50,000 rows (0%)");

  clock.Advance(seconds(4));
  board.Add("rows.analytics", 12000);
  p = board.Find("rows.analytics");
  REQUIRE(p);
  CHECK(p->elapsed == seconds(4));
  CHECK(*p->rate == Approx(3000.0));
  CHECK(std::chrono::duration<double>(*p->eta).count() ==
        Approx(38000.0 / 3000));
  CHECK(FormatProgress(*p) ==
        "rows.analytics: 12,000 of 50,000 rows (24%), 3,000 rows/s, 12s left");

  board.End("rows.analytics");
  CHECK_FALSE(board.Find("rows.analytics"));
  CHECK(board.InFlight().empty());
}

TEST_CASE("more done than planned reads as all of it, never past 100%",
          "[progress]") {
  FakeClock clock;
  ProgressBoard board(clock);
  board.Begin("rows.x", 10);
  clock.Advance(seconds(1));
  board.Add("rows.x", 12);  // rows inserted since the count
  auto p = board.Find("rows.x");
  REQUIRE(p);
  CHECK(p->planned == 12);
  CHECK(*p->eta == Duration::zero());
  CHECK(FormatProgress(*p) == "rows.x: 12 of 12 items (100%), 12 items/s, 0s left");
}

TEST_CASE("a terminal sees long runs only, redrawn at most four times a "
          "second, and cleared when the run ends",
          "[progress]") {
  FakeClock clock;
  ProgressBoard board(clock);
  RecordingListener terminal;
  board.set_listener(&terminal);
  board.SetUnit("files.x", "file");
  board.Begin("files.x", 1000);
  for (int i = 0; i < 9; ++i) {  // before a second: nothing drawn
    clock.Advance(milliseconds(100));
    board.Add("files.x", 10);
  }
  CHECK(terminal.lines.empty());
  for (int i = 0; i < 11; ++i) {  // then every 250 ms at most
    clock.Advance(milliseconds(100));
    board.Add("files.x", 10);
  }
  REQUIRE(terminal.lines.size() == 4);  // at 1.0, 1.3, 1.6 and 1.9 s
  CHECK(terminal.lines[0] ==
        "files.x: 100 of 1,000 files (10%), 100 files/s, 9s left");
  board.End("files.x");
  CHECK(terminal.lines.back() == "(cleared)");
  // A run ending unseen clears nothing.
  board.Begin("files.x", 5);
  board.End("files.x");
  CHECK(terminal.lines.size() == 5);
}

TEST_CASE("an action counts its rows, a rotation one file", "[progress]") {
  Action batch{.verb = Verb::kDelete, .count = 700};
  CHECK(ProgressItems(batch) == 700);
  Action rotation{.verb = Verb::kRotate, .count = 0};
  CHECK(ProgressItems(rotation) == 1);
}

}  // namespace
}  // namespace retention::progress_test

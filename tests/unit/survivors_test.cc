// SurvivorsAfter: what a run leaves once its result is applied.
#include <catch2/catch.hpp>

#include "core/runner.h"

namespace retention::survivors_test {
namespace {

using std::chrono::hours;
const WallTime kNow = FromUnixSeconds(1767225600);

Action Delete(WallTime mtime) {
  Action a;
  a.verb = Verb::kDelete;
  a.expected.mtime = mtime;
  a.bytes = 1000;
  return a;
}

Plan PlanKeeping(uint64_t count, std::optional<WallTime> oldest) {
  Plan p;
  p.kept = Survivors{count, oldest, count * 10, 1};
  p.actions = {Delete(kNow - hours(300)), Delete(kNow - hours(200))};
  return p;
}

TEST_CASE("a run that did everything leaves what the plan kept") {
  ExecResult done;
  done.done = 2;
  auto left = SurvivorsAfter(PlanKeeping(5, kNow - hours(10)), done);
  REQUIRE(left);
  CHECK(left->count == 5);
  CHECK(left->oldest == kNow - hours(10));
  CHECK(left->bytes == 50);
}

TEST_CASE("undone actions count as survivors, the oldest of them included") {
  ExecResult partial;
  partial.done = 1;
  partial.failed = 1;
  auto left = SurvivorsAfter(PlanKeeping(5, kNow - hours(10)), partial);
  REQUIRE(left);
  CHECK(left->count == 7);  // which deletion failed is unknown: both count
  CHECK(left->oldest == kNow - hours(300));
  CHECK(left->bytes == 50 + 2000);
  CHECK(left->live_bytes == 1);

  // A braked run did nothing: everything survives, even when the plan kept
  // nothing.
  left = SurvivorsAfter(PlanKeeping(0, std::nullopt), ExecResult{});
  REQUIRE(left);
  CHECK(left->count == 2);
  CHECK(left->oldest == kNow - hours(300));
}

TEST_CASE("only removals count as survivors; rotations remove nothing") {
  Plan p = PlanKeeping(3, kNow - hours(10));
  Action rotate;
  rotate.verb = Verb::kRotate;
  rotate.expected.mtime = kNow - hours(900);
  p.actions.push_back(rotate);
  ExecResult partial;
  partial.done = 1;
  auto left = SurvivorsAfter(p, partial);
  REQUIRE(left);
  CHECK(left->count == 5);  // 3 kept + the 2 planned deletions
  CHECK(left->oldest == kNow - hours(300));
}

TEST_CASE("without a measuring plan or an action's time nothing is measured") {
  Plan unmeasured;
  unmeasured.actions = {Delete(kNow)};
  CHECK_FALSE(SurvivorsAfter(unmeasured, ExecResult{}));

  Plan timeless = PlanKeeping(1, kNow);
  timeless.actions.push_back(Delete(WallTime{}));
  CHECK_FALSE(SurvivorsAfter(timeless, ExecResult{}));
}

}  // namespace
}  // namespace retention::survivors_test

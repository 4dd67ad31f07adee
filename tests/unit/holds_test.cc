// Holds on plans: what a hold covers, and that held removals leave the plan
// as survivors with a warning (the dry run shows the same plan).
#include "core/holds.h"

#include <catch2/catch.hpp>

namespace retention::holds_test {
namespace {

const WallTime kNow = FromUnixSeconds(1795455270);

Action Removal(const std::string& target, Verb verb = Verb::kDelete) {
  Action a;
  a.verb = verb;
  a.target = target;
  a.bytes = 100;
  a.expected.mtime = kNow - std::chrono::hours(1000);
  return a;
}

Hold MakeHold(const char* kind, const char* target) {
  return Hold{kind, target, "litigation", "uid 0", kNow};
}

TEST_CASE("a path hold covers the path and what lies below it only") {
  const Hold h = MakeHold("path", "/data/backups");
  CHECK(HoldCovers(h, "files.b", Removal("/data/backups")));
  CHECK(HoldCovers(h, "files.b", Removal("/data/backups/x.tar")));
  CHECK(HoldCovers(h, "files.b", Removal("/data/backups/a/b")));
  CHECK_FALSE(HoldCovers(h, "files.b", Removal("/data/backups2/x.tar")));
  CHECK_FALSE(HoldCovers(h, "files.b", Removal("/data/back")));
  CHECK(HoldCovers(MakeHold("path", "/"), "files.b", Removal("/x")));
}

TEST_CASE("policy and account holds cover their own targets") {
  CHECK(HoldCovers(MakeHold("policy", "files.b"), "files.b", Removal("/x")));
  CHECK_FALSE(
      HoldCovers(MakeHold("policy", "files.b"), "files.c", Removal("/x")));
  CHECK(HoldCovers(MakeHold("account", "42"), "accounts",
                   Removal("account 42", Verb::kPurge)));
  CHECK_FALSE(HoldCovers(MakeHold("account", "42"), "accounts",
                         Removal("account 421", Verb::kPurge)));
  CHECK_FALSE(HoldCovers(MakeHold("nonsense", "x"), "files.b", Removal("x")));
  CHECK(IsHoldKind("path"));
  CHECK_FALSE(IsHoldKind("paths"));
}

TEST_CASE("held removals leave the plan as survivors, with a warning") {
  Plan plan;
  plan.policy = "files.b";
  plan.kept = Survivors{2, kNow - std::chrono::hours(10), 50, 0};
  Action rotate;
  rotate.verb = Verb::kRotate;
  rotate.target = "/data/backups/live.log";
  plan.actions = {Removal("/data/backups/old.tar"), Removal("/data/other/x"),
                  rotate};
  ApplyHolds({MakeHold("path", "/data/backups")}, &plan);
  REQUIRE(plan.actions.size() == 2);
  CHECK(plan.actions[0].target == "/data/other/x");
  CHECK(plan.actions[1].verb == Verb::kRotate);  // holds stop removals only
  CHECK(plan.kept->count == 3);
  CHECK(plan.kept->bytes == 150);
  CHECK(plan.kept->oldest == kNow - std::chrono::hours(1000));
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0] ==
        "1 held by the hold on path /data/backups (litigation, placed by "
        "uid 0)");
}

TEST_CASE("without holds a plan is unchanged") {
  Plan plan;
  plan.actions = {Removal("/a")};
  ApplyHolds({}, &plan);
  CHECK(plan.actions.size() == 1);
  CHECK(plan.warnings.empty());
}

}  // namespace
}  // namespace retention::holds_test

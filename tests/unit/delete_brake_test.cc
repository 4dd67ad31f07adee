// CheckDeleteBrake: when a plan removes too much of its scope.
#include "core/delete_brake.h"

#include <catch2/catch.hpp>

namespace retention::delete_brake_test {
namespace {

Plan PlanDeleting(uint64_t removals, uint64_t scope) {
  Plan p;
  p.scope = scope;
  for (uint64_t i = 0; i < removals; ++i) {
    Action a;
    a.verb = Verb::kDelete;
    p.actions.push_back(a);
  }
  Action rotate;
  rotate.verb = Verb::kRotate;  // removes nothing
  p.actions.push_back(rotate);
  return p;
}

TEST_CASE("a negative brake_min_items is a configuration error") {
  const KindRegistry registry = BuiltinRegistry();
  Config config;
  std::vector<ConfigError> errors;
  CHECK_FALSE(LoadConfigFromString(
      "t.conf", "[files.x]\nroot = /tmp\nmax_age = 1d\nbrake_min_items = -1\n",
      registry, &config, &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].ToString() ==
        "t.conf:4: [files.x] brake_min_items: must be 0 or more");
}

TEST_CASE("a plan removing more than max_delete_fraction brakes") {
  const DeleteBrakeLimit limit{0.25, 10};
  CHECK_FALSE(CheckDeleteBrake(PlanDeleting(25, 100), limit));
  auto why = CheckDeleteBrake(PlanDeleting(26, 100), limit);
  REQUIRE(why);
  CHECK(*why ==
        "would delete 26 of 100 items (26%), more than max_delete_fraction "
        "0.25");
}

TEST_CASE("small scopes and a fraction of 1 never brake") {
  CHECK_FALSE(CheckDeleteBrake(PlanDeleting(9, 9), {0.25, 10}));
  CHECK(CheckDeleteBrake(PlanDeleting(10, 10), {0.25, 10}));
  CHECK_FALSE(CheckDeleteBrake(PlanDeleting(100, 100), {1.0, 0}));
  CHECK_FALSE(CheckDeleteBrake(PlanDeleting(0, 0), {0.0, 0}));
  CHECK_FALSE(CheckDeleteBrake(PlanDeleting(5, 100), DeleteBrakeLimit{}));
}

TEST_CASE("removals are counted by action count, purges included") {
  Plan p;
  p.scope = 1000;
  Action rows;
  rows.verb = Verb::kDelete;
  rows.count = 300;  // a batch of rows
  Action purge;
  purge.verb = Verb::kPurge;
  p.actions = {rows, purge};
  CHECK(PlannedRemovals(p) == 301);
  CHECK(CheckDeleteBrake(p, {0.3, 10}));
}

}  // namespace
}  // namespace retention::delete_brake_test

// PlanKeepFree on hand-made filesystems and candidates. The plan is the dry
// run: each test that expects deletions asserts the exact targets, and
// nothing here touches a filesystem.
#include "kinds/logs/keep_free_planner.h"

#include <catch2/catch.hpp>

namespace retention::keep_free_planner_test {
namespace {

using std::chrono::hours;
constexpr Duration kDay = hours(24);
constexpr uint64_t kM = 1 << 20;
const WallTime kNow = FromUnixSeconds(1795455270);  // 2026-11-23T17:34:30Z

KeepFreeCandidate Candidate(const std::string& policy, const std::string& dir,
                            const std::string& name, Duration age,
                            uint64_t size, Duration min_age = {}) {
  KeepFreeCandidate c;
  c.policy = policy;
  c.entry.dir = dir;
  c.entry.name = name;
  c.entry.info.type = FileType::kRegular;
  c.entry.info.size = size;
  c.entry.info.blocks = size / 512;
  c.time = kNow - age;
  c.min_age = min_age;
  return c;
}

KeepFreeFilesystem Fs(uint64_t available, uint64_t total,
                      std::vector<KeepFreeCandidate> candidates) {
  return {"/var/log", {available, total}, std::move(candidates), 1};
}

std::vector<std::string> Targets(const Plan& plan) {
  std::vector<std::string> out;
  for (const Action& a : plan.actions) {
    CHECK(a.verb == Verb::kDelete);
    out.push_back(a.target);
  }
  return out;
}

SpaceLimit Bytes(uint64_t n) { return SpaceLimit{n, 0}; }

TEST_CASE("below keep_free the oldest rotated files across sets go first") {
  auto fs = Fs(10 * kM, 1000 * kM,
               {Candidate("logs.a", "/var/log/a", "a1", 3 * kDay, 4 * kM),
                Candidate("logs.b", "/var/log/b", "b1", 5 * kDay, 4 * kM),
                Candidate("logs.a", "/var/log/a", "a0", 9 * kDay, 4 * kM),
                Candidate("logs.b", "/var/log/b", "b0", 1 * kDay, 4 * kM)});
  // 10M free, 20M wanted: three 4M files (oldest first) make 22M.
  Plan plan = PlanKeepFree(Bytes(20 * kM), {fs}, kNow);
  CHECK(Targets(plan) == std::vector<std::string>{"/var/log/a/a0",
                                                  "/var/log/b/b1",
                                                  "/var/log/a/a1"});
  CHECK(plan.policy == kKeepFreePolicyId);
  CHECK(plan.scope == 4);
  CHECK(plan.warnings.empty());
  REQUIRE_FALSE(plan.actions.empty());
  CHECK_THAT(plan.actions[0].reason,
             Catch::Contains("below keep_free 20M") &&
                 Catch::Contains("logs.a") &&
                 Catch::Contains("oldest rotated file across log sets"));
  CHECK(plan.actions[0].bytes == 4 * kM);
  CHECK(plan.actions[0].expected.size == 4 * kM);
}

TEST_CASE("with enough free space keep_free plans nothing") {
  auto fs = Fs(20 * kM, 1000 * kM,
               {Candidate("logs.a", "/var/log/a", "a0", 9 * kDay, 4 * kM)});
  Plan plan = PlanKeepFree(Bytes(20 * kM), {fs}, kNow);
  CHECK(plan.actions.empty());
  CHECK(plan.warnings.empty());
  CHECK(plan.scope == 1);
}

TEST_CASE("a keep_free percentage is of the filesystem's size") {
  auto fs = Fs(90 * kM, 1000 * kM,
               {Candidate("logs.a", "/var/log/a", "a0", 9 * kDay, 8 * kM),
                Candidate("logs.a", "/var/log/a", "a1", 8 * kDay, 8 * kM)});
  CHECK(PlanKeepFree(SpaceLimit{0, 9}, {fs}, kNow).actions.empty());
  // 10% of 1000M is 100M: one 8M file brings 90M to 98M, two to 106M.
  CHECK(Targets(PlanKeepFree(SpaceLimit{0, 10}, {fs}, kNow)) ==
        std::vector<std::string>{"/var/log/a/a0", "/var/log/a/a1"});
}

TEST_CASE("space freed is counted in allocated blocks, not apparent size") {
  auto sparse = Candidate("logs.a", "/var/log/a", "a0", 9 * kDay, 100 * kM);
  sparse.entry.info.blocks = 8;  // 4 KiB allocated
  auto fs =
      Fs(0, 1000 * kM,
         {sparse, Candidate("logs.a", "/var/log/a", "a1", 8 * kDay, 4 * kM)});
  CHECK(Targets(PlanKeepFree(Bytes(kM), {fs}, kNow)) ==
        std::vector<std::string>{"/var/log/a/a0", "/var/log/a/a1"});
}

TEST_CASE("min_age keeps young rotated files even when space is short") {
  auto fs =
      Fs(0, 1000 * kM,
         {Candidate("logs.a", "/var/log/a", "old", 9 * kDay, kM, kDay),
          Candidate("logs.a", "/var/log/a", "young", hours(2), kM, kDay)});
  Plan plan = PlanKeepFree(Bytes(10 * kM), {fs}, kNow);
  CHECK(Targets(plan) == std::vector<std::string>{"/var/log/a/old"});
  REQUIRE(plan.warnings.size() == 1);
  CHECK_THAT(plan.warnings[0],
             Catch::Contains("no rotated log file is left to delete") &&
                 Catch::Contains("1 kept by min_age"));
}

TEST_CASE("each filesystem is measured and freed on its own") {
  KeepFreeFilesystem full =
      Fs(0, 1000 * kM,
         {Candidate("logs.a", "/var/log/a", "a0", 1 * kDay, 2 * kM)});
  KeepFreeFilesystem roomy =
      Fs(500 * kM, 1000 * kM,
         {Candidate("logs.b", "/srv/log/b", "b0", 9 * kDay, 2 * kM)});
  roomy.where = "/srv/log";
  roomy.space_dev = 2;
  Plan plan = PlanKeepFree(Bytes(kM), {full, roomy}, kNow);
  CHECK(Targets(plan) == std::vector<std::string>{"/var/log/a/a0"});
  CHECK(plan.scope == 2);
}

TEST_CASE("a shortage with nothing to delete is a warning, not an error") {
  Plan plan = PlanKeepFree(Bytes(kM), {Fs(0, 1000 * kM, {})}, kNow);
  CHECK(plan.actions.empty());
  REQUIRE(plan.warnings.size() == 1);
  CHECK_THAT(plan.warnings[0], Catch::Contains("/var/log") &&
                                   Catch::Contains("below keep_free 1M"));
}

}  // namespace
}  // namespace retention::keep_free_planner_test

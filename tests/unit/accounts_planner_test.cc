// The [accounts] planner on its own: which accounts are due (never early,
// the min_age floor), purges in progress resumed, holds on accounts and on
// their data directories, and the rule's parsers.
#include "kinds/accounts/accounts_planner.h"

#include <catch2/catch.hpp>

#include "core/holds.h"

namespace retention::accounts_planner_test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
constexpr Duration kDay = hours(24);
const WallTime kNow = FromUnixSeconds(1795455270);

AccountsRule Rule(Duration grace = kDay * 30, Duration min_age = {}) {
  AccountsRule r;
  r.table = "users";
  r.id_column = "id";
  r.deleted_column = "deleted_at";
  r.grace = grace;
  r.min_age = min_age;
  r.data_dir = *ParseDataDirPattern("/data/users/{id}");
  r.quarantine = DefaultQuarantine(r.data_dir);
  return r;
}

AccountsInput Deleted(std::vector<std::pair<std::string, Duration>> ages,
                      int64_t total = 100) {
  AccountsInput in;
  in.db.total = total;
  for (auto& [id, age] : ages) in.db.deleted.push_back({id, kNow - age});
  return in;
}

std::vector<std::string> Targets(const Plan& p) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) out.push_back(a.target);
  return out;
}

TEST_CASE("accounts past their grace are due, with the reason", "[accounts]") {
  AccountsPlan p = PlanAccounts(
      "accounts", Rule(),
      Deleted({{"7", kDay * 31}, {"8", kDay * 29}, {"9", kDay * 90}}), kNow);
  CHECK(Targets(p.plan) == std::vector<std::string>{"account 7", "account 9"});
  const Action& a = p.plan.actions[0];
  CHECK(a.verb == Verb::kPurge);
  CHECK(a.count == 1);
  CHECK(a.tree == "/data/users/7");
  CHECK(a.expected.mtime == kNow - kDay * 31);
  CHECK(a.reason == "deleted at " + FormatIso8601(kNow - kDay * 31) +
                        ", grace 30d, due " + FormatIso8601(kNow - kDay));
  REQUIRE(p.pending.size() == 1);
  CHECK(p.pending[0].account == "8");
  CHECK(p.pending[0].due == kNow + kDay);
  CHECK(p.plan.kept->count == 1);
  CHECK(p.plan.kept->oldest == kNow - kDay * 29);
  CHECK(p.plan.scope == 100);
}

TEST_CASE("an account one second younger than its deadline waits",
          "[accounts]") {
  AccountsPlan p = PlanAccounts("accounts", Rule(),
                                Deleted({{"young", kDay * 30 - seconds(1)},
                                         {"edge", kDay * 30},
                                         {"old", kDay * 30 + seconds(1)}}),
                                kNow);
  CHECK(Targets(p.plan) == std::vector<std::string>{"account old"});
  CHECK(p.pending.size() == 2);
}

TEST_CASE("the min_age floor makes the grace longer, never shorter",
          "[accounts]") {
  AccountsPlan floor = PlanAccounts("accounts", Rule(kDay * 30, kDay * 60),
                                    Deleted({{"a", kDay * 45}}), kNow);
  CHECK(floor.plan.actions.empty());
  CHECK(floor.pending[0].due == kNow + kDay * 15);
  AccountsPlan past = PlanAccounts("accounts", Rule(kDay * 30, kDay * 60),
                                   Deleted({{"a", kDay * 61}}), kNow);
  REQUIRE(past.plan.actions.size() == 1);
  CHECK(past.plan.actions[0].reason.find(
            "grace 30d raised to the min_age floor 60d") != std::string::npos);
  // A floor shorter than the grace changes nothing.
  AccountsPlan shorter = PlanAccounts("accounts", Rule(kDay * 30, kDay),
                                      Deleted({{"a", kDay * 29}}), kNow);
  CHECK(shorter.plan.actions.empty());
}

TEST_CASE("unreadable deleted times and unsafe ids are never due",
          "[accounts]") {
  AccountsInput in = Deleted({{"../etc", kDay * 99}, {"a/b", kDay * 99}});
  in.db.deleted.push_back({"5", std::nullopt});
  AccountsPlan p = PlanAccounts("accounts", Rule(), in, kNow);
  CHECK(p.plan.actions.empty());
  CHECK(p.plan.warnings.size() == 3);
}

TEST_CASE("a purge in progress is resumed whatever the table says",
          "[accounts]") {
  AccountsInput in = Deleted({{"2", kDay * 40}});
  in.progress.push_back(
      {"accounts", "1", kNow - kDay * 50, "rows", "sessions 2", kNow});
  in.quarantined = {"1"};
  AccountsPlan p = PlanAccounts("accounts", Rule(), in, kNow);
  CHECK(Targets(p.plan) == std::vector<std::string>{"account 1", "account 2"});
  CHECK(p.plan.actions[0].reason.find("resuming") == 0);
  CHECK(p.plan.warnings.empty());
}

TEST_CASE("a purge done for the same deletion is not planned again",
          "[accounts]") {
  AccountsInput in = Deleted({{"1", kDay * 40}});
  in.progress.push_back({"accounts", "1", kNow - kDay * 40, "done", "", kNow});
  CHECK(PlanAccounts("accounts", Rule(), in, kNow).plan.actions.empty());
  // Marked deleted again later: a new purge.
  in.progress[0].deleted = kNow - kDay * 400;
  CHECK(PlanAccounts("accounts", Rule(), in, kNow).plan.actions.size() == 1);
}

TEST_CASE("a tree in quarantine without a purge in progress stays",
          "[accounts]") {
  AccountsInput in = Deleted({});
  in.quarantined = {"77"};
  AccountsPlan p = PlanAccounts("accounts", Rule(), in, kNow);
  CHECK(p.plan.actions.empty());
  REQUIRE(p.plan.warnings.size() == 1);
  CHECK(p.plan.warnings[0] ==
        "/data/.retentiond-quarantine/77.retentiond-purge: no purge of "
        "account 77 in progress; left alone");
}

TEST_CASE("account holds and path holds on the data dir keep it",
          "[accounts]") {
  AccountsPlan p = PlanAccounts("accounts", Rule(),
                                Deleted({{"1", kDay * 40},
                                         {"2", kDay * 40},
                                         {"3", kDay * 40},
                                         {"4", kDay * 40},
                                         {"5", kDay * 40}}),
                                kNow);
  auto hold = [](const char* kind, const char* target) {
    return Hold{kind, target, "case 9", "uid 0", kNow};
  };
  ApplyHolds({hold("account", "1"), hold("path", "/data/users/2"),
              hold("path", "/data/users/3/contract.pdf"),
              hold("path", "/data/users/40")},
             &p.plan);
  CHECK(Targets(p.plan) == std::vector<std::string>{"account 4", "account 5"});
  CHECK(p.plan.kept->count == 3);
  // A hold above every data directory keeps them all.
  ApplyHolds({hold("path", "/data")}, &p.plan);
  CHECK(p.plan.actions.empty());
}

TEST_CASE("data_dir patterns, cascade references, assignments", "[accounts]") {
  auto p = ParseDataDirPattern("/data/users/u-{id}.d");
  REQUIRE(p.ok());
  CHECK(p->parent == "/data/users");
  CHECK(p->PathOf("42") == "/data/users/u-42.d");
  CHECK(DefaultQuarantine(*p) == "/data/.retentiond-quarantine");
  CHECK(DefaultQuarantine(*ParseDataDirPattern("/u/{id}")) ==
        "/.retentiond-quarantine");
  CHECK_FALSE(ParseDataDirPattern("/data/{id}/files").ok());
  CHECK_FALSE(ParseDataDirPattern("/data/users").ok());
  CHECK_FALSE(ParseDataDirPattern("/data/{id}{id}").ok());
  CHECK_FALSE(ParseDataDirPattern("data/{id}").ok());

  auto ref = ParseCascadeRef("sessions.user_id");
  REQUIRE(ref.ok());
  CHECK(ref->table == "sessions");
  CHECK(ref->column == "user_id");
  CHECK_FALSE(ParseCascadeRef("sessions").ok());
  CHECK_FALSE(ParseCascadeRef("a;b.c").ok());
  CHECK_FALSE(ParseCascadeRef("a.b.c").ok());

  CHECK_FALSE(ParseAssignment("email")->value);
  CHECK_FALSE(ParseAssignment("email=NULL")->value);
  CHECK(ParseAssignment("name=deleted")->value == "deleted");
  CHECK_FALSE(ParseAssignment("x\"y=1").ok());

  CHECK(IsSafeAccountId("42"));
  CHECK(IsSafeAccountId("alice@example.com"));
  CHECK_FALSE(IsSafeAccountId(".."));
  CHECK_FALSE(IsSafeAccountId("a/b"));
  CHECK_FALSE(IsSafeAccountId(""));
  CHECK_FALSE(IsSafeAccountId(std::string("a\nb")));
}

}  // namespace
}  // namespace retention::accounts_planner_test

// A purge stranded half-way (issue 14): the data directory went into
// quarantine, then the application database refused the DELETE (it is
// read-only here), and the application restored the account. The next run
// moves the data back where it was and records a "restore"; if it cannot
// (the name is taken), every run says so and the record says "stranded".
// And the dry-run twin. Also what a mismatched quarantine entry does.
#include <catch2/catch.hpp>

#include "accounts_env.h"
#include "kinds/accounts/accounts_state_store.h"

namespace retention::accounts_stranded_test {
namespace {

constexpr Duration kDay = AccountsEnv::kDay;

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Account 5, due, moved into quarantine by a purge whose DELETE failed,
// then restored by the application.
void Strand(AccountsEnv& env) {
  env.AddAccount(5, kDay * 40);
  AccountsPolicy read_only = env.PolicyOn(*env.fs, /*read_only_app=*/true);
  for (int run = 0; run < 2; ++run) {
    ExecResult r = env.Run(read_only);
    CHECK(r.done == 0);
    REQUIRE(r.errors.size() == 1);
    CHECK(Contains(r.errors[0], "account 5: "));
  }
  REQUIRE(std::filesystem::exists(env.Quarantined(5) + "/sub/deeper/c"));
  REQUIRE_FALSE(std::filesystem::exists(env.Dir(5)));
  REQUIRE(env.HasRows(5));
  env.Sql("UPDATE users SET deleted_at = NULL WHERE id = 5");
}

std::string StageOf(AccountsEnv& env, const std::string& account) {
  auto all = AccountsStore(*env.state).AccountPurges("accounts");
  REQUIRE(all.ok());
  for (const AccountPurge& p : *all) {
    if (p.account == account) return p.stage;
  }
  return "";
}

TEST_CASE("a stranded purge of a restored account moves its data back",
          "[accounts]") {
  AccountsEnv env;
  Strand(env);
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  INFO((r.errors.empty() ? std::string() : r.errors[0]));
  CHECK(r.errors.empty());
  CHECK(r.done == 0);
  CHECK(env.HasFiles(5));
  CHECK(env.HasRows(5));
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.Purges().empty());
  auto restores = env.Entries("restore");
  REQUIRE(restores.size() == 1);
  CHECK(restores[0].target == "account 5");
  CHECK(Contains(restores[0].detail,
                 "moved back from " + env.quarantine + " to " + env.Dir(5)));
  CHECK(StageOf(env, "5") == "restored");
  // Settled: nothing planned, nothing recorded again.
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions.empty());
  CHECK(env.Run(policy).errors.empty());
  CHECK(env.Entries("restore").size() == 1);
  // Deleted again later: purged as any account.
  env.clock.Advance(kDay);
  env.Sql("UPDATE users SET deleted_at = " +
          std::to_string(ToUnixSeconds(env.clock.Now() - kDay * 31)) +
          " WHERE id = 5");
  ExecResult again = env.Run(policy);
  CHECK(again.done == 1);
  CHECK(env.NoRows(5));
  CHECK_FALSE(std::filesystem::exists(env.Dir(5)));
  CHECK(env.QuarantineEntries() == 0);
  auto verified = env.ledger->Verify();
  REQUIRE(verified.ok());
  CHECK(verified->ok);
}

TEST_CASE("a dry run of a stranded purge moves nothing back", "[accounts]") {
  AccountsEnv env;
  Strand(env);
  auto plan = env.Policy().MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  REQUIRE(plan->actions.size() == 1);
  CHECK(Contains(plan->actions[0].reason, "resuming the purge begun before"));
  CHECK(std::filesystem::exists(env.Quarantined(5) + "/sub/deeper/c"));
  CHECK_FALSE(std::filesystem::exists(env.Dir(5)));
  CHECK(env.Entries("restore").empty());
}

TEST_CASE("a stranded purge whose place is taken says so every run",
          "[accounts]") {
  AccountsEnv env;
  Strand(env);
  std::filesystem::create_directories(env.Dir(5));  // the application's
  AccountsPolicy policy = env.Policy();
  for (int run = 0; run < 2; ++run) {
    ExecResult r = env.Run(policy);
    REQUIRE(r.errors.size() == 1);
    CHECK(Contains(r.errors[0], "account 5: no longer marked deleted"));
    CHECK(Contains(r.errors[0], "cannot be moved back from quarantine"));
    CHECK(Contains(r.errors[0], "left in quarantine"));
    CHECK(StageOf(env, "5") == "stranded");
  }
  CHECK(std::filesystem::exists(env.Quarantined(5) + "/sub/deeper/c"));
  CHECK(env.Entries("restore").empty());
  // Once the name is free again, the data goes back.
  std::filesystem::remove(env.Dir(5));
  CHECK(env.Run(policy).errors.empty());
  CHECK(env.HasFiles(5));
  CHECK(env.Entries("restore").size() == 1);
}

TEST_CASE("a purge stranded by a former version, without identity, goes back",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(5, std::nullopt);  // restored already
  std::filesystem::create_directories(env.quarantine);
  std::filesystem::rename(env.Dir(5), env.Quarantined(5));
  REQUIRE(AccountsStore(*env.state)
              .SaveAccountPurge({"accounts", "5", env.clock.Now() - kDay * 40,
                                 "started", "", env.clock.Now()})
              .ok());
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  INFO((r.errors.empty() ? std::string() : r.errors[0]));
  CHECK(r.errors.empty());
  CHECK(env.HasFiles(5));
  CHECK(env.HasRows(5));
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.Entries("restore").size() == 1);
  CHECK(env.Purges().empty());
}

TEST_CASE("a quarantined entry that is not the directory planned goes back",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40);
  // As a run cut short after moving leaves it, but what is in quarantine
  // is not the inode its record names (a symlink here).
  std::filesystem::create_directories(env.quarantine);
  REQUIRE(AccountsStore(*env.state)
              .SaveAccountPurge({"accounts", "1", env.clock.Now() - kDay * 40,
                                 "moving", "data_dir 1:2", env.clock.Now()})
              .ok());
  std::filesystem::rename(env.Dir(1), env.tmp.File("elsewhere"));
  std::filesystem::create_symlink(env.outside, env.Quarantined(1));
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  REQUIRE(r.errors.size() == 1);
  CHECK(Contains(r.errors[0], "is not the data directory planned"));
  CHECK(Contains(r.errors[0], "moved back to " + env.Dir(1)));
  CHECK(env.HasRows(1));
  CHECK(env.Purges().empty());
  CHECK(std::filesystem::is_symlink(env.Dir(1)));
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.OutsideIntact());
  CHECK(StageOf(env, "1") == "aborted");
}

}  // namespace
}  // namespace retention::accounts_stranded_test

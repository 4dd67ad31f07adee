// The [accounts] kind on real SQLite files and real directories: the data
// directory renamed into quarantine and removed, cascade rows deleted in
// one transaction, anonymize and keep, a missing data directory, refusals
// (a symlinked data directory, a quarantine on another filesystem, a
// missing cascade table, a restored account), resuming, and the dry-run
// twin of each deleting test.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "accounts_env.h"
#include "kinds/accounts/accounts_state_store.h"

namespace retention::accounts_purge_test {
namespace {

constexpr Duration kDay = AccountsEnv::kDay;

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_CASE("an account past its grace is purged: files, rows, ledger",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 31);
  env.AddAccount(2, kDay * 29);
  env.AddAccount(3, std::nullopt);
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  INFO((r.errors.empty() ? std::string() : r.errors[0]));
  CHECK(r.errors.empty());
  CHECK(r.done == 1);
  CHECK(r.bytes == 1008);
  CHECK(env.NoRows(1));
  CHECK_FALSE(std::filesystem::exists(env.Dir(1)));
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.HasRows(2));
  CHECK(env.HasFiles(2));
  CHECK(env.HasRows(3));
  CHECK(env.HasFiles(3));
  CHECK(env.OutsideIntact());
  auto purges = env.Purges();
  REQUIRE(purges.size() == 1);
  CHECK(purges[0].target == "account 1");
  CHECK(purges[0].bytes == 1008);
  CHECK(purges[0].count == 1);
  CHECK(Contains(purges[0].detail,
                 "sessions 2, usage_events 3, account row deleted; 4 files "
                 "and 3 directories removed; deleted at "));
  CHECK_FALSE(Contains(purges[0].detail, "example.com"));
  // Nothing more to do on the next run.
  auto again = policy.MakePlan(env.clock.Now());
  REQUIRE(again.ok());
  CHECK(again->actions.empty());
  CHECK(again->kept->count == 1);
}

TEST_CASE("an accounts dry run purges nothing", "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 31);
  env.AddAccount(2, kDay * 29);
  auto plan = env.Policy().MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  REQUIRE(plan->actions.size() == 1);
  CHECK(plan->actions[0].target == "account 1");
  CHECK(Contains(plan->actions[0].reason, "grace 30d, due "));
  CHECK(env.HasRows(1));
  CHECK(env.HasFiles(1));
  CHECK_FALSE(std::filesystem::exists(env.quarantine));
  CHECK(env.Purges().empty());
}

TEST_CASE("one second before its deadline an account is kept", "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 30 - std::chrono::seconds(1));
  env.AddAccount(2, kDay * 30 + std::chrono::seconds(1));
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  CHECK(r.done == 1);
  CHECK(env.HasRows(1));
  CHECK(env.HasFiles(1));
  CHECK(env.NoRows(2));
}

TEST_CASE("anonymize overwrites the account row and keeps it", "[accounts]") {
  AccountsEnv env;
  env.rule.account_row = AccountRow::kAnonymize;
  env.rule.anonymize = {{"email", std::nullopt}, {"name", "deleted user"}};
  env.AddAccount(1, kDay * 40);
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  CHECK(r.done == 1);
  CHECK(env.Count("SELECT count(*) FROM users WHERE id = 1 AND email IS "
                  "NULL AND name = 'deleted user' AND deleted_at IS NOT "
                  "NULL") == 1);
  CHECK(env.Count("SELECT count(*) FROM sessions") == 0);
  REQUIRE(env.Purges().size() == 1);
  CHECK(Contains(env.Purges()[0].detail, "account row anonymized"));
  // Still marked deleted, but purged: never again.
  ExecResult again = env.Run(policy);
  CHECK(again.done == 0);
  CHECK(env.Purges().size() == 1);
}

TEST_CASE("keep leaves the account row and purges the rest once",
          "[accounts]") {
  AccountsEnv env;
  env.rule.account_row = AccountRow::kKeep;
  env.AddAccount(1, kDay * 40);
  AccountsPolicy policy = env.Policy();
  CHECK(env.Run(policy).done == 1);
  CHECK(env.Count("SELECT count(*) FROM users WHERE email = "
                  "'u1@example.com'") == 1);
  CHECK(env.Count("SELECT count(*) FROM usage_events") == 0);
  CHECK(env.Run(policy).done == 0);
  CHECK(env.Purges().size() == 1);
}

TEST_CASE("an account without a data directory is purged too", "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40, /*files=*/false);
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  CHECK(r.errors.empty());
  CHECK(r.done == 1);
  CHECK(env.NoRows(1));
  REQUIRE(env.Purges().size() == 1);
  CHECK(Contains(env.Purges()[0].detail, "0 files and 0 directories"));
}

TEST_CASE("a data directory that is a symlink is refused", "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40, /*files=*/false);
  std::filesystem::create_symlink(env.outside, env.Dir(1));
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  CHECK(r.done == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK(Contains(r.errors[0], env.Dir(1) + " is a symlink; refused"));
  CHECK(env.HasRows(1));
  CHECK(std::filesystem::is_symlink(env.Dir(1)));
  CHECK(env.OutsideIntact());
  CHECK(env.Purges().empty());
}

TEST_CASE("a quarantine on another filesystem is a clear error", "[accounts]") {
  if (!std::filesystem::is_directory("/dev/shm")) return;
  struct stat a {
  }, b{};
  char templ[] = "/dev/shm/rtd-q-XXXXXX";
  REQUIRE(mkdtemp(templ) != nullptr);
  const std::string q = templ;
  AccountsEnv env;
  REQUIRE(stat(q.c_str(), &a) == 0);
  REQUIRE(stat(env.users.c_str(), &b) == 0);
  if (a.st_dev == b.st_dev) {
    WARN("/dev/shm is on the temp dir's filesystem; skipped");
    std::filesystem::remove_all(q);
    return;
  }
  env.rule.quarantine = q;
  env.AddAccount(1, kDay * 40);
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  std::filesystem::remove_all(q);
  CHECK(r.done == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK(Contains(r.errors[0], "is on another filesystem than " + env.users +
                                  "; set quarantine to a directory on the "
                                  "same filesystem"));
  CHECK(env.HasFiles(1));
  CHECK(env.HasRows(1));
}

TEST_CASE("a cascade table dropped since start: nothing purged", "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40);
  AccountsPolicy policy = env.Policy();
  env.Sql("DROP TABLE usage_events");
  ExecResult r = env.Run(policy);
  CHECK(r.done == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK(Contains(r.errors[0],
                 "cascade usage_events.user_id: no table usage_events"));
  CHECK(Contains(r.errors[0], "nothing purged"));
  CHECK(env.Count("SELECT count(*) FROM users") == 1);
  CHECK(env.Count("SELECT count(*) FROM sessions") == 2);
  CHECK(env.HasFiles(1));
}

TEST_CASE("the cascade is one transaction: a failure rolls it back",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40);
  // A cascade table that cannot be deleted from (a view) fails after the
  // first table's rows were deleted inside the transaction.
  env.Sql("CREATE VIEW audit AS SELECT id AS user_id FROM users");
  env.rule.cascade = {{"sessions", "user_id"}, {"audit", "user_id"}};
  auto db = OpenSqliteAccounts(env.rule, false, std::chrono::seconds(1));
  REQUIRE(db.ok());
  auto purged = (*db)->PurgeRows("1", env.clock.Now());
  REQUIRE_FALSE(purged.ok());
  CHECK(Contains(purged.status().message(), "cascade audit.user_id: "));
  CHECK(env.HasRows(1));
}

TEST_CASE("an account restored before its purge is not purged", "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40);
  AccountsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  REQUIRE(plan->actions.size() == 1);
  env.Sql("UPDATE users SET deleted_at = NULL WHERE id = 1");
  LedgerContext ctx(env.clock, *env.ledger, env.no_stop);
  ExecResult r = policy.Execute(*plan, ctx);
  CHECK(r.done == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK(Contains(r.errors[0], "no longer marked deleted"));
  CHECK(env.HasRows(1));
  CHECK(env.HasFiles(1));
}

TEST_CASE("a quarantined tree whose rows are gone is still removed",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40);
  // As a run killed after its transaction leaves it.
  std::filesystem::create_directories(env.quarantine);
  std::filesystem::rename(env.Dir(1),
                          env.quarantine + "/1" + kQuarantineMarker);
  env.Sql("DELETE FROM sessions; DELETE FROM usage_events; DELETE FROM users");
  REQUIRE(AccountsStore(*env.state)
              .SaveAccountPurge({"accounts", "1", env.clock.Now() - kDay * 40,
                                 "rows",
                                 "sessions 2, usage_events 3, "
                                 "account row deleted",
                                 env.clock.Now()})
              .ok());
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  CHECK(r.errors.empty());
  CHECK(r.done == 1);
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.OutsideIntact());
  REQUIRE(env.Purges().size() == 1);
  CHECK(Contains(env.Purges()[0].detail, "sessions 2, usage_events 3"));
}

TEST_CASE("a tree with a FIFO is not purged completely, and says so",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, kDay * 40);
  REQUIRE(mkfifo((env.Dir(1) + "/sub/pipe").c_str(), 0600) == 0);
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  CHECK(r.done == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK(Contains(r.errors[0], "cannot be removed completely"));
  CHECK(env.NoRows(1));  // the rows went in step b
  CHECK(env.Purges().empty());
  // Still in progress: planned again, and finished once the FIFO is gone.
  std::filesystem::remove(env.quarantine + "/1" + kQuarantineMarker +
                          "/sub/pipe");
  ExecResult again = env.Run(policy);
  CHECK(again.errors.empty());
  CHECK(again.done == 1);
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.Purges().size() == 1);
}

}  // namespace
}  // namespace retention::accounts_purge_test

namespace retention::accounts_purge_test {
namespace {

// Makes a chain of `depth` directories "d" beneath `top`, with a file at
// the bottom, through directory handles (the path is far past PATH_MAX).
void MakeChain(const std::string& top, int depth) {
  int fd = open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  for (int i = 0; i < depth; ++i) {
    REQUIRE(mkdirat(fd, "d", 0700) == 0);
    const int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(next >= 0);
    close(fd);
    fd = next;
  }
  const int file = openat(fd, "bottom", O_WRONLY | O_CREAT | O_EXCL, 0600);
  REQUIRE(file >= 0);
  REQUIRE(write(file, "xyz", 3) == 3);
  close(file);
  close(fd);
}

TEST_CASE("a 1000-deep quarantined tree is removed with 100 descriptors",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, AccountsEnv::kDay * 40);
  MakeChain(env.Dir(1), 1000);
  AccountsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  env.CloseAll();
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Past the test's own descriptors, a hundred more at most.
    rlimit limit{100 + 64, 100 + 64};
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(3);
    env.ReopenAll();
    AccountsPolicy in_child = env.Policy();
    auto p = in_child.MakePlan(env.clock.Now());
    if (!p.ok()) _exit(4);
    LedgerContext ctx(env.clock, *env.ledger, env.no_stop);
    ExecResult r = in_child.Execute(*p, ctx);
    _exit(r.errors.empty() && r.done == 1 ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  env.ReopenAll();
  CHECK(env.NoRows(1));
  CHECK(env.QuarantineEntries() == 0);
  REQUIRE(env.Purges().size() == 1);
  CHECK(Contains(env.Purges()[0].detail, "5 files and 1003 directories"));
}

}  // namespace
}  // namespace retention::accounts_purge_test

namespace retention::accounts_purge_test {
namespace {

TEST_CASE("a mount inside a data directory is never entered nor removed",
          "[accounts]") {
  AccountsEnv env;
  env.AddAccount(1, AccountsEnv::kDay * 40);
  const std::string point = env.Dir(1) + "/sub/mnt";
  std::filesystem::create_directories(point);
  if (mount(env.outside.c_str(), point.c_str(), nullptr, MS_BIND, nullptr) !=
      0) {
    WARN("cannot bind-mount here; skipped");
    return;
  }
  AccountsPolicy policy = env.Policy();
  ExecResult r = env.Run(policy);
  const std::string moved = env.quarantine + "/1" + kQuarantineMarker;
  // The mount moved with its tree; undo it before checking anything.
  const bool unmounted =
      umount((moved + "/sub/mnt").c_str()) == 0 || umount(point.c_str()) == 0;
  REQUIRE(unmounted);
  CHECK(r.done == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK(Contains(r.errors[0],
                 "cannot be removed completely: sub/mnt: not "
                 "entered (a mount point, or unreadable)"));
  CHECK(env.OutsideIntact());
  // Unmounted, the purge completes.
  ExecResult again = env.Run(policy);
  CHECK(again.errors.empty());
  CHECK(again.done == 1);
  CHECK(env.QuarantineEntries() == 0);
  CHECK(env.OutsideIntact());
}

}  // namespace
}  // namespace retention::accounts_purge_test

// Helpers for the [accounts] kind's OS tests: in a fresh temp directory an
// application database (users with a deleted_at column, two cascade tables,
// WAL), one data directory per account under users/ with files, a
// subdirectory and a symlink to a file outside, a real state database and
// ledger, and an AccountsPolicy on them driven by a FakeClock.
// Single-threaded test use only.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/ledger.h"
#include "core/ledger_context.h"
#include "core/state_db.h"
#include "db_test_util.h"
#include "fakes/fake_clock.h"
#include "kinds/accounts/accounts_policy.h"

namespace retention {

// Appends each recorded action to the ledger, as the Runner does.
struct AccountsEnv {
  static constexpr Duration kDay = std::chrono::hours(24);
  TempDir tmp;
  std::string db_path = tmp.File("app.db");
  std::string users = tmp.File("users");
  std::string outside = tmp.File("outside");
  std::string quarantine = tmp.File(".retentiond-quarantine");
  FakeClock clock;
  std::unique_ptr<Filesystem> fs = NewPosixFilesystem();
  std::unique_ptr<StateDb> state;
  std::unique_ptr<Ledger> ledger;
  std::atomic<bool> no_stop{false};
  AccountsRule rule;
  std::unique_ptr<SqliteConnection> app;
  std::string state_path = tmp.File("state.db");

  AccountsEnv() {
    std::filesystem::create_directories(users);
    std::filesystem::create_directories(outside);
    std::ofstream(outside + "/secret") << "not the account's";
    auto db = SqliteConnection::Open(
        db_path, SqliteConnection::OpenMode::kReadWriteCreate);
    REQUIRE(db.ok());
    app = std::move(*db);
    Sql("PRAGMA journal_mode = WAL");
    Sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, "
        "deleted_at INTEGER)");
    Sql("CREATE TABLE sessions (id INTEGER PRIMARY KEY, user_id INTEGER)");
    Sql("CREATE TABLE usage_events (id INTEGER PRIMARY KEY, user_id "
        "INTEGER, bytes INTEGER)");
    rule.database = db_path;
    rule.table = "users";
    rule.id_column = "id";
    rule.deleted_column = "deleted_at";
    rule.grace = kDay * 30;
    rule.data_dir = *ParseDataDirPattern(users + "/{id}");
    rule.quarantine = DefaultQuarantine(rule.data_dir);
    rule.cascade = {{"sessions", "user_id"}, {"usage_events", "user_id"}};
    rule.every = std::chrono::hours(1);
    // The users directory was made an instant ago; tests of the swap
    // attack set the daemon's quiet period back.
    rule.absent_quiet = Duration::zero();
    OpenState();
  }
  void OpenState() {
    ledger.reset();
    state.reset();
    auto s = StateDb::Open(state_path);
    REQUIRE(s.ok());
    state = std::move(*s);
    ledger = std::make_unique<Ledger>(*state);
  }
  // Closes every connection this process holds (before a fork whose child
  // opens its own), and opens them again.
  void CloseAll() {
    ledger.reset();
    state.reset();
    app.reset();
  }
  void ReopenAll() {
    auto db =
        SqliteConnection::Open(db_path, SqliteConnection::OpenMode::kReadWrite);
    REQUIRE(db.ok());
    app = std::move(*db);
    OpenState();
  }
  void Sql(const std::string& sql) {
    Status st = app->Exec(sql);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
  int64_t Count(const std::string& sql) {
    auto n = app->QueryText(sql);
    REQUIRE(n.ok());
    return std::stoll(*n);
  }
  std::string Dir(int64_t id) const { return users + "/" + std::to_string(id); }
  // Account `id` with 2 sessions and 3 usage events; deleted `deleted_ago`
  // before now when given; with a data directory (5 + 1000 + 3 bytes in
  // three files, a subdirectory, a symlink to outside/secret) if `files`.
  void AddAccount(int64_t id, std::optional<Duration> deleted_ago,
                  bool files = true) {
    const std::string i = std::to_string(id);
    const std::string deleted =
        deleted_ago ? std::to_string(ToUnixSeconds(clock.Now() - *deleted_ago))
                    : "NULL";
    Sql("INSERT INTO users VALUES (" + i + ", 'u" + i + "@example.com', 'U" +
        i + "', " + deleted + ")");
    for (int k = 0; k < 2; ++k) {
      Sql("INSERT INTO sessions (user_id) VALUES (" + i + ")");
    }
    for (int k = 0; k < 3; ++k) {
      Sql("INSERT INTO usage_events (user_id, bytes) VALUES (" + i + ", 7)");
    }
    if (!files) return;
    std::filesystem::create_directories(Dir(id) + "/sub/deeper");
    std::ofstream(Dir(id) + "/a.txt") << "hello";
    std::ofstream(Dir(id) + "/sub/b.bin") << std::string(1000, 'b');
    std::ofstream(Dir(id) + "/sub/deeper/c") << "ccc";
    std::filesystem::create_symlink(outside + "/secret", Dir(id) + "/link");
  }
  bool HasRows(int64_t id) {
    const std::string i = std::to_string(id);
    return Count("SELECT count(*) FROM users WHERE id = " + i) == 1 &&
           Count("SELECT count(*) FROM sessions WHERE user_id = " + i) == 2 &&
           Count("SELECT count(*) FROM usage_events WHERE user_id = " + i) == 3;
  }
  bool NoRows(int64_t id) {
    const std::string i = std::to_string(id);
    return Count("SELECT count(*) FROM users WHERE id = " + i) == 0 &&
           Count("SELECT count(*) FROM sessions WHERE user_id = " + i) == 0 &&
           Count("SELECT count(*) FROM usage_events WHERE user_id = " + i) == 0;
  }
  bool HasFiles(int64_t id) {
    return std::filesystem::exists(Dir(id) + "/sub/deeper/c") &&
           std::filesystem::is_symlink(Dir(id) + "/link");
  }
  bool OutsideIntact() {
    std::ifstream in(outside + "/secret");
    std::string s;
    std::getline(in, s);
    return s == "not the account's";
  }
  size_t QuarantineEntries() {
    if (!std::filesystem::exists(quarantine)) return 0;
    return static_cast<size_t>(
        std::distance(std::filesystem::directory_iterator(quarantine),
                      std::filesystem::directory_iterator()));
  }
  AccountsPolicy Policy() { return PolicyOn(*fs); }
  // On `on` (a wrapper of *fs); with `read_only_app`, every connection to
  // the application's database is read-only, so its purges fail.
  AccountsPolicy PolicyOn(Filesystem& on, bool read_only_app = false) {
    AccountsRule r = rule;
    return AccountsPolicy(
        "accounts", r, on, *state, [r, read_only_app](bool read_only) {
          return OpenSqliteAccounts(r, read_only || read_only_app,
                                    std::chrono::seconds(5));
        });
  }
  std::vector<LedgerEntry> Entries(const std::string& action) {
    auto all = ledger->Read(0, 100000);
    REQUIRE(all.ok());
    std::vector<LedgerEntry> out;
    for (LedgerEntry& e : *all) {
      if (e.action == action) out.push_back(std::move(e));
    }
    return out;
  }
  std::string Quarantined(int64_t id) const {
    return quarantine + "/" + std::to_string(id) + kQuarantineMarker;
  }
  // Plans and executes once; REQUIREs the plan.
  ExecResult Run(AccountsPolicy& policy) {
    auto plan = policy.MakePlan(clock.Now());
    REQUIRE(plan.ok());
    LedgerContext ctx(clock, *ledger, no_stop);
    return policy.Execute(*plan, ctx);
  }
  std::vector<LedgerEntry> Purges() {
    auto all = ledger->Read(0, 100000);
    REQUIRE(all.ok());
    std::vector<LedgerEntry> out;
    for (LedgerEntry& e : *all) {
      if (e.action == "purge") out.push_back(std::move(e));
    }
    return out;
  }
};

}  // namespace retention

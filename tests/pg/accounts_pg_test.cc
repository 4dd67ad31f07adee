// The [accounts] kind's PostgreSQL store on a private cluster: the check
// names what is missing, the snapshot reads every time type, a purge
// deletes the cascade rows and the account row in one transaction, an
// account the application restored is never purged, and an account row the
// application holds locked makes the purge wait no longer than its lock
// timeout and change nothing. A whole AccountsPolicy run purges with its
// ledger entries.
#include <catch2/catch.hpp>
#include <functional>

#include "core/ledger.h"
#include "core/ledger_context.h"
#include "core/state_db.h"
#include "fakes/fake_clock.h"
#include "kinds/accounts/accounts_database.h"
#include "kinds/accounts/accounts_policy.h"
#include "pg_cluster.h"
#include "sql/sql_names.h"

namespace retention::accounts_pg_test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr Duration kDay = hours(24);
const WallTime kNow = FromUnixSeconds(1795455270);  // 2026-11-23T17:34:30Z

struct PgAccountsEnv {
  PgCluster pg;
  AccountsRule rule;

  // users(id bigint, email, deleted_at TYPE); sessions and usage_events
  // keyed by user_id.
  explicit PgAccountsEnv(const std::string& type = "timestamptz",
                         TimeFormat format = TimeFormat::kNative) {
    pg.Sql("CREATE TABLE users (id bigint PRIMARY KEY, email text, "
           "deleted_at " + type + ")");
    pg.Sql("CREATE TABLE sessions (id bigserial PRIMARY KEY, user_id bigint)");
    pg.Sql("CREATE TABLE usage_events (id bigserial PRIMARY KEY, user_id "
           "bigint)");
    rule.pg_uri = pg.Uri();
    rule.database = RedactPassword(rule.pg_uri);
    rule.table = "users";
    rule.id_column = "id";
    rule.deleted_column = "deleted_at";
    rule.format = format;
    rule.grace = kDay * 30;
    rule.cascade = {{"sessions", "user_id"}, {"usage_events", "user_id"}};
    rule.every = hours(1);
  }
  // Account `id` with 2 sessions and 3 usage events, deleted `ago` before
  // kNow (`value`: the deleted_at literal as written, when given).
  void Add(int64_t id, std::optional<Duration> ago,
           const std::string& value = "") {
    const std::string i = std::to_string(id);
    std::string deleted = "NULL";
    if (!value.empty()) {
      deleted = value;
    } else if (ago) {
      deleted = "to_timestamp(" + std::to_string(ToUnixSeconds(kNow - *ago)) +
                ")";
    }
    pg.Sql("INSERT INTO users VALUES (" + i + ", 'u" + i + "@example.com', " +
           deleted + ")");
    pg.Sql("INSERT INTO sessions (user_id) VALUES (" + i + "), (" + i + ")");
    pg.Sql("INSERT INTO usage_events (user_id) VALUES (" + i + "), (" + i +
           "), (" + i + ")");
  }
  int64_t Count(const std::string& sql) { return std::stoll(pg.Value(sql)); }
  bool NoRows(int64_t id) {
    const std::string i = std::to_string(id);
    return Count("SELECT count(*) FROM users WHERE id = " + i) == 0 &&
           Count("SELECT count(*) FROM sessions WHERE user_id = " + i) == 0 &&
           Count("SELECT count(*) FROM usage_events WHERE user_id = " + i) == 0;
  }
  bool AllRows(int64_t id) {
    const std::string i = std::to_string(id);
    return Count("SELECT count(*) FROM users WHERE id = " + i) == 1 &&
           Count("SELECT count(*) FROM sessions WHERE user_id = " + i) == 2 &&
           Count("SELECT count(*) FROM usage_events WHERE user_id = " + i) == 3;
  }
  std::unique_ptr<AccountsDatabase> Open(Duration lock = seconds(1)) {
    auto db = OpenAccountsDatabase(rule, false, lock);
    INFO(db.status().ToString());
    REQUIRE(db.ok());
    return std::move(*db);
  }
};

TEST_CASE("pg accounts: the check names the missing table, column or type") {
  PgAccountsEnv env;
  CHECK(env.Open()->Check().ok());
  struct Case {
    std::function<void(AccountsRule&)> edit;
    const char* says;
  };
  const Case cases[] = {
      {[](AccountsRule& r) { r.table = "people"; }, "no table people"},
      {[](AccountsRule& r) { r.deleted_column = "gone_at"; },
       "no column gone_at"},
      {[](AccountsRule& r) { r.cascade.push_back({"orders", "user_id"}); },
       "cascade orders.user_id: no table orders"},
      {[](AccountsRule& r) { r.format = TimeFormat::kUnixSeconds; },
       "needs time_format = native"},
  };
  for (const Case& c : cases) {
    PgAccountsEnv bad;
    c.edit(bad.rule);
    Status st = bad.Open()->Check();
    INFO(st.ToString());
    CHECK_FALSE(st.ok());
    CHECK(st.message().find(c.says) != std::string::npos);
    CHECK(st.message().find(PgCluster::kPassword) == std::string::npos);
  }
}

TEST_CASE("pg accounts: a wrong password is refused without printing it") {
  PgAccountsEnv env;
  env.rule.pg_uri = env.pg.Uri("not-the-password");
  auto db = OpenAccountsDatabase(env.rule, true, seconds(1));
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kPermissionDenied);
  CHECK(db.status().message().find("not-the-password") == std::string::npos);
}

TEST_CASE("pg accounts: the snapshot reads every time type") {
  struct Type {
    const char* sql;
    TimeFormat format;
    std::string deleted;  // 40 days before kNow
  };
  const int64_t t = ToUnixSeconds(kNow - kDay * 40);
  const Type types[] = {
      {"timestamptz", TimeFormat::kNative,
       "to_timestamp(" + std::to_string(t) + ")"},
      {"timestamp", TimeFormat::kNative,
       "to_timestamp(" + std::to_string(t) + ") AT TIME ZONE 'UTC'"},
      {"date", TimeFormat::kNative,
       "(to_timestamp(" + std::to_string(t) + ") AT TIME ZONE 'UTC')::date"},
      {"bigint", TimeFormat::kUnixSeconds, std::to_string(t)},
      {"bigint", TimeFormat::kUnixMillis, std::to_string(t * 1000)},
  };
  for (const Type& type : types) {
    INFO(type.sql << " " << TimeFormatName(type.format));
    PgAccountsEnv env(type.sql, type.format);
    env.Add(1, std::nullopt, type.deleted);
    env.Add(2, std::nullopt);
    auto db = env.Open();
    REQUIRE(db->Check().ok());
    auto snap = db->Snapshot();
    INFO(snap.status().ToString());
    REQUIRE(snap.ok());
    CHECK(snap->total == 2);
    REQUIRE(snap->deleted.size() == 1);
    CHECK(snap->deleted[0].id == "1");
    REQUIRE(snap->deleted[0].deleted);
    const int64_t got = ToUnixSeconds(*snap->deleted[0].deleted);
    if (std::string(type.sql) == "date") {
      CHECK(got == t - t % 86400);  // the day's midnight
    } else {
      CHECK(got == t);
    }
  }
}

TEST_CASE("pg accounts: a purge deletes the cascade rows and the account") {
  PgAccountsEnv env;
  env.Add(1, kDay * 40);
  env.Add(2, kDay * 40);
  auto db = env.Open();
  REQUIRE(db->Check().ok());
  // A read-only connection (the config check's) never purges.
  auto checker = OpenAccountsDatabase(env.rule, true, seconds(1));
  REQUIRE(checker.ok());
  CHECK((*checker)->PurgeRows("1", kNow - kDay * 30).status().code() ==
        Status::Code::kFailedPrecondition);
  CHECK(env.AllRows(1));
  auto purged = db->PurgeRows("1", kNow - kDay * 30);
  INFO(purged.status().ToString());
  REQUIRE(purged.ok());
  CHECK(purged->Describe(AccountRow::kDelete) ==
        "sessions 2, usage_events 3, account row deleted");
  CHECK(env.NoRows(1));
  CHECK(env.AllRows(2));
  // Again (a second host, or a rerun): nothing left, nothing more purged.
  auto again = db->PurgeRows("1", kNow - kDay * 30);
  REQUIRE(again.ok());
  CHECK(again->Describe(AccountRow::kDelete) ==
        "sessions 0, usage_events 0, account row already gone");
}

TEST_CASE("pg accounts: anonymize overwrites the columns with bound values") {
  PgAccountsEnv env;
  env.rule.account_row = AccountRow::kAnonymize;
  env.rule.anonymize = {{"email", std::string("x'); DROP TABLE users; --")}};
  env.Add(1, kDay * 40);
  auto db = env.Open();
  REQUIRE(db->Check().ok());
  auto purged = db->PurgeRows("1", kNow - kDay * 30);
  INFO(purged.status().ToString());
  REQUIRE(purged.ok());
  CHECK(purged->account_rows == 1);
  CHECK(env.pg.Value("SELECT email FROM users WHERE id = 1") ==
        "x'); DROP TABLE users; --");
  CHECK(env.Count("SELECT count(*) FROM sessions WHERE user_id = 1") == 0);
}

TEST_CASE("pg accounts: an account the application restored is not purged") {
  PgAccountsEnv env;
  env.Add(1, kDay * 40);
  auto db = env.Open();
  REQUIRE(db->Check().ok());
  env.pg.Sql("UPDATE users SET deleted_at = NULL WHERE id = 1");
  auto purged = db->PurgeRows("1", kNow - kDay * 30);
  REQUIRE_FALSE(purged.ok());
  CHECK(purged.status().code() == Status::Code::kFailedPrecondition);
  CHECK(env.AllRows(1));
  auto due = db->StillDue("1", kNow - kDay * 30);
  REQUIRE(due.ok());
  CHECK_FALSE(*due);
  // Marked deleted again, recently: still not due.
  env.pg.Sql("UPDATE users SET deleted_at = to_timestamp(" +
             std::to_string(ToUnixSeconds(kNow - kDay)) + ") WHERE id = 1");
  CHECK_FALSE(db->PurgeRows("1", kNow - kDay * 30).ok());
  CHECK(env.AllRows(1));
}

TEST_CASE("pg accounts: a row the application holds makes the purge wait "
          "no longer than the lock timeout and change nothing") {
  PgAccountsEnv env;
  env.Add(1, kDay * 40);
  auto db = env.Open(std::chrono::milliseconds(300));
  REQUIRE(db->Check().ok());
  auto app = env.pg.Connect();
  REQUIRE(app->Exec("BEGIN; SELECT * FROM users WHERE id = 1 FOR UPDATE").ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto purged = db->PurgeRows("1", kNow - kDay * 30);
  const auto waited = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(purged.ok());
  CHECK(purged.status().IsBusy());
  CHECK(waited < seconds(5));
  REQUIRE(app->Exec("ROLLBACK").ok());
  CHECK(env.AllRows(1));
  auto later = db->PurgeRows("1", kNow - kDay * 30);
  REQUIRE(later.ok());
  CHECK(env.NoRows(1));
}

TEST_CASE("pg accounts: a policy run purges and records each account") {
  PgAccountsEnv env;
  env.Add(1, kDay * 40);
  env.Add(2, kDay * 31);
  env.Add(3, kDay * 10);  // within its grace
  env.Add(4, std::nullopt);
  TempDir tmp;
  auto state = StateDb::Open(tmp.File("state.db"));
  REQUIRE(state.ok());
  Ledger ledger(**state);
  FakeClock clock;
  clock.Advance(kNow - clock.Now());
  auto fs = NewPosixFilesystem();
  const AccountsRule rule = env.rule;
  AccountsPolicy policy(
      "accounts", rule, *fs, **state,
      [rule](bool read_only) {
        return OpenAccountsDatabase(rule, read_only, seconds(1));
      });
  auto plan = policy.MakePlan(clock.Now());
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  REQUIRE(plan->actions.size() == 2);
  std::atomic<bool> no_stop{false};
  LedgerContext ctx(clock, ledger, no_stop);
  ExecResult r = policy.Execute(*plan, ctx);
  REQUIRE(ctx.Flush().ok());
  INFO(r.errors.size());
  CHECK(r.errors.empty());
  CHECK(r.done == 2);
  CHECK(env.NoRows(1));
  CHECK(env.NoRows(2));
  CHECK(env.AllRows(3));
  CHECK(env.AllRows(4));
  auto entries = ledger.Read(0, 100);
  REQUIRE(entries.ok());
  int purges = 0;
  for (const LedgerEntry& e : *entries) purges += e.action == "purge";
  CHECK(purges == 2);
}

}  // namespace
}  // namespace retention::accounts_pg_test

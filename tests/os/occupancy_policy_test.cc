// The [occupancy] kind end to end over a fake scanner and a real state
// database: config keys, quotas, transitions, hooks, ledger, publishing.
#include "kinds/occupancy/occupancy_policy.h"

#include <catch2/catch.hpp>

#include "config/kind_registry.h"
#include "core/ledger.h"
#include "core/ledger_context.h"
#include "core/progress.h"
#include "core/state_db.h"
#include "db_test_util.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_filesystem.h"
#include "kinds/occupancy/occupancy_scanner.h"
#include "kinds/occupancy/occupancy_database.h"
#include "kinds/occupancy/occupancy_state_store.h"

namespace retention::occupancy_policy_test {
namespace {

class CannedScanner final : public OccupancyScanner {
 public:
  StatusOr<OccupancyScan> Scan(const ScanRequest& request) override {
    if (during) during(request);
    return scan;
  }
  OccupancyScan scan;
  std::function<void(const ScanRequest&)> during;  // called in each Scan
  void Set(const std::string& user, uint64_t allocated) {
    for (UserUsage& u : scan.users) {
      if (u.user == user) u.allocated = allocated;
    }
  }
};

struct Env {
  TempDir dir;
  FakeClock clock;
  FakeFilesystem fs{clock};
  std::unique_ptr<StateDb> db;
  std::unique_ptr<Ledger> ledger;
  std::atomic<bool> no_stop{false};
  CannedScanner scanner;
  KindRegistry with_canned_scanner;  // the occupancy kind only
  std::vector<std::vector<std::string>> hook_env;
  Services services{clock, fs};
  Env() {
    auto opened = StateDb::Open(dir.File("state.db"));
    REQUIRE(opened.ok());
    db = std::move(*opened);
    ledger = std::make_unique<Ledger>(*db);
    services.state = db.get();
    RegisterOccupancyKind(&with_canned_scanner, &scanner);
    services.run_command = [this](const std::vector<std::string>& argv,
                                  const std::vector<std::string>& env,
                                  Duration) {
      std::vector<std::string> call = env;
      call.insert(call.begin(), argv.front());
      hook_env.push_back(call);
      return Status::Ok();
    };
    scanner.scan.users = {{"alice", 100}, {"bob", 5000}, {"carol", 10}};
  }
  std::unique_ptr<Policy> Build(const std::string& extra) {
    Config config;
    std::vector<ConfigError> errors;
    const std::string text =
        "[occupancy]\nroot = /data\ndefault_quota = 1K\n"
        "on_over_quota = /bin/over\n"
        "on_under_quota = /bin/under\n" +
        extra;
    REQUIRE(LoadConfigFromString("o.conf", text, registry, &config, &errors));
    const Section* s = config.Find("occupancy");
    REQUIRE(s != nullptr);
    auto policy = with_canned_scanner.Find("occupancy")->factory(*s, services);
    REQUIRE(policy.ok());
    return std::move(*policy);
  }
  Plan RunOnce(Policy& p) {
    auto plan = p.MakePlan(clock.Now());
    INFO(plan.status().ToString());
    REQUIRE(plan.ok());
    LedgerContext ctx(clock, *ledger, no_stop);
    ExecResult r = p.Execute(*plan, ctx);
    CHECK(r.errors.empty());
    clock.Advance(std::chrono::hours(1));
    return *plan;
  }
  KindRegistry registry = BuiltinRegistry();
};

TEST_CASE("going over quota fires the hook once and is a ledger entry") {
  Env env;
  auto policy = env.Build("quota.carol = 5\n");
  CHECK_FALSE(policy->destructive());
  Plan first = env.RunOnce(*policy);
  REQUIRE(first.actions.size() == 2);  // bob over 1K, carol over 5 bytes
  CHECK(first.actions[0].target == "bob");
  CHECK(first.actions[0].verb == Verb::kOverQuota);
  REQUIRE(env.hook_env.size() == 2);
  CHECK(env.hook_env[0] == std::vector<std::string>{
                               "/bin/over", "RETENTIOND_USER=bob",
                               "RETENTIOND_BYTES=5000", "RETENTIOND_QUOTA=1024",
                               "RETENTIOND_EVENT=over_quota"});
  CHECK(env.RunOnce(*policy).actions.empty());  // still over: no new event
  CHECK(env.hook_env.size() == 2);
  env.scanner.Set("bob", 1000);
  Plan back = env.RunOnce(*policy);
  REQUIRE(back.actions.size() == 1);
  CHECK(back.actions[0].verb == Verb::kUnderQuota);
  CHECK(env.hook_env.back()[0] == "/bin/under");
  auto entries = env.ledger->Read(0, 10);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[2].action == "under_quota");
  CHECK((*entries)[2].target == "bob");
}

TEST_CASE("an occupancy dry run stores nothing and runs no hook") {
  Env env;
  auto policy = env.Build("");
  auto plan = policy->MakePlan(env.clock.Now());
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  CHECK(plan->actions.size() == 1);
  CHECK(env.hook_env.empty());
  auto latest = OccupancyStore(*env.db).LatestOccupancy();
  REQUIRE(latest.ok());
  CHECK_FALSE(latest->has_value());
}

TEST_CASE("an occupancy scan shows users scanned of found while it runs") {
  Env env;
  ProgressBoard board(env.clock);
  board.SetUnit("occupancy", "user");
  env.services.progress = &board;
  auto policy = env.Build("");
  std::vector<std::optional<ProgressSnapshot>> seen;
  env.scanner.during = [&](const ScanRequest& request) {
    REQUIRE(request.on_progress);
    request.on_progress(0, 3);
    seen.push_back(board.Find("occupancy"));
    request.on_progress(1, 3);
    request.on_progress(2, 3);
    seen.push_back(board.Find("occupancy"));
  };
  auto plan = policy->MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  REQUIRE(seen.size() == 2);
  REQUIRE(seen[0].has_value());
  CHECK(seen[0]->planned == 3);
  CHECK(seen[0]->done == 0);
  REQUIRE(seen[1].has_value());
  CHECK(seen[1]->done == 2);
  CHECK(FormatProgress(*seen[1]).find("2 of 3 users") != std::string::npos);
  CHECK_FALSE(board.Find("occupancy").has_value());  // the scan ended
}

TEST_CASE("occupancy history keeps each scan with quotas and over flags") {
  Env env;
  auto policy = env.Build("quota.alice = 50\n");
  env.RunOnce(*policy);
  env.scanner.Set("alice", 40);
  env.RunOnce(*policy);
  auto latest = OccupancyStore(*env.db).LatestOccupancy();
  REQUIRE(latest.ok());
  REQUIRE(latest->has_value());
  REQUIRE((*latest)->users.size() == 3);
  CHECK((*latest)->users[0].quota == 50);
  CHECK_FALSE((*latest)->users[0].over);
  auto history = OccupancyStore(*env.db).OccupancyHistory({"alice"}, 10);
  REQUIRE(history.ok());
  REQUIRE(history->at("alice").size() == 2);
  CHECK(history->at("alice")[0].allocated == 100);
  CHECK(history->at("alice")[1].allocated == 40);
}

TEST_CASE("quotas come from quota.USER, then quota_from, then default_quota") {
  Env env;
  const std::string app = env.dir.File("app.db");
  {
    auto db = SqliteConnection::Open(
        app, SqliteConnection::OpenMode::kReadWriteCreate);
    REQUIRE(db.ok());
    REQUIRE((*db)
                ->Exec("CREATE TABLE users (id TEXT, quota_bytes INTEGER);"
                       "INSERT INTO users VALUES ('alice', 50), "
                       "('bob', 9000), ('carol', NULL)")
                .ok());
  }
  auto policy = env.Build("quota_from = sqlite:" + app +
                          " users.quota_bytes\nquota.alice = 2K\n"
                          "publish_to = sqlite:" +
                          app + " usage\n");
  Plan plan = env.RunOnce(*policy);
  CHECK(plan.actions.empty());  // alice 100 < 2K, bob 5000 < 9000, carol < 1K
  auto db = SqliteConnection::Open(app, SqliteConnection::OpenMode::kReadOnly);
  REQUIRE(db.ok());
  auto row = (*db)->QueryText(
      "SELECT group_concat(user_id || ':' || allocated_bytes, ' ') FROM "
      "(SELECT * FROM usage ORDER BY user_id)");
  REQUIRE(row.ok());
  CHECK(*row == "alice:100 bob:5000 carol:10");
}

std::string ConfigErrors(const std::string& text) {
  KindRegistry registry = BuiltinRegistry();
  Config config;
  std::vector<ConfigError> errors;
  CHECK_FALSE(LoadConfigFromString("o.conf", text, registry, &config, &errors));
  std::string all;
  for (const ConfigError& e : errors) all += e.ToString() + "\n";
  return all;
}

TEST_CASE("[occupancy] rejects bad quota keys, a bad layout and target") {
  const std::string keys =
      ConfigErrors("[occupancy]\nroot = /d\nquota.x = 5Q\nquotas.y = 1\n");
  CHECK_THAT(keys, Catch::Contains("quota.x: bad size '5Q'"));
  CHECK_THAT(keys, Catch::Contains("quotas.y: unknown key"));
  CHECK_THAT(ConfigErrors("[occupancy]\nroot = /d\nquota. = 1\n"),
             Catch::Contains("bad key 'quota.'"));
  const std::string checks = ConfigErrors(
      "[occupancy]\nroot = /d\nlayout = {id}/{id}\npublish_to = usage\n"
      "quota_from = sqlite:/a.db users\n");
  CHECK_THAT(checks,
             Catch::Contains("layout: must contain '{id}' exactly once"));
  CHECK_THAT(checks, Catch::Contains("publish_to: expected sqlite:PATH TABLE"));
  CHECK_THAT(checks,
             Catch::Contains("quota_from: expected sqlite:PATH TABLE.COLUMN"));
}

}  // namespace
}  // namespace retention::occupancy_policy_test

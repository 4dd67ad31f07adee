// The rows kind on a private PostgreSQL cluster: every time type, never
// early, dry run == real run, rows the application holds are skipped, a
// table the application locks, and the batches' mark that keeps counts
// exact after a crash.
#include <catch2/catch.hpp>
#include <thread>

#include "kinds/rows/rows_planner.h"
#include "pg_rows_env.h"

namespace retention::rows_pg_test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

// Rows 1 s older than the cutoff, at it, and 1 s younger; an hour older.
// A date column holds days: 2 days older, the cutoff's day (its midnight
// is before the cutoff, 23:00), and the next day.
void SeedAroundCutoff(PgRowsEnv& env) {
  if (env.type == "date") {
    env.InsertAt(1, env.cutoff() - hours(48));
    env.InsertAt(2, env.cutoff() + hours(2));
    env.InsertAt(3, env.cutoff() + hours(26));
    env.InsertAt(4, env.cutoff() - hours(1));
    return;
  }
  env.InsertAt(1, env.cutoff() - seconds(1));
  env.InsertAt(2, env.cutoff());
  env.InsertAt(3, env.cutoff() + seconds(1));
  env.InsertAt(4, env.cutoff() - hours(1));
}

// The application's session, holding app.events ACCESS EXCLUSIVE until it
// commits.
std::unique_ptr<PgConnection> LockTable(PgRowsEnv& env) {
  auto app = env.pg.Connect();
  REQUIRE(
      app->Exec("BEGIN; LOCK TABLE app.events IN ACCESS EXCLUSIVE MODE").ok());
  return app;
}

TEST_CASE("pg: rows older than the cutoff are deleted in every time type") {
  for (const PgType& t : kPgTypes) {
    INFO(t.sql << " " << TimeFormatName(t.format));
    PgRowsEnv env(t);
    SeedAroundCutoff(env);
    env.Insert(5, "NULL");
    RowsPolicy policy = env.Policy();
    auto plan = policy.MakePlan(env.clock.Now());
    INFO(plan.status().ToString());
    REQUIRE(plan.ok());
    REQUIRE(plan->actions.size() == 1);
    CHECK(plan->actions[0].count == 2);
    CHECK(plan->kept->count == 3);  // the NULL one is never old
    // Dry run: the plan alone deletes nothing.
    CHECK(env.Count() == 5);
    KeepingContext ctx;
    ExecResult r = policy.Execute(*plan, ctx);
    CHECK(r.errors.empty());
    CHECK(r.done == 1);
    // Dry run == real run: what the plan counted is what went.
    CHECK(r.rows == plan->actions[0].count);
    CHECK_FALSE(env.Has(1));
    CHECK_FALSE(env.Has(4));
    CHECK(env.Has(2));  // never early
    CHECK(env.Has(3));
    CHECK(env.Has(5));
    REQUIRE(ctx.recorded.size() == 1);
    CHECK(ctx.recorded[0].count == 2);
    CHECK(ctx.recorded[0].target == "app.events (by ctid)");
  }
}

TEST_CASE("pg: a where clause limits what expires, with values bound") {
  PgRowsEnv env(kPgTypes[0], true, "kind = 'reset' AND id > 0");
  env.InsertAt(1, env.cutoff() - hours(2), "reset");
  env.InsertAt(2, env.cutoff() - hours(2), "verify");
  env.InsertAt(3, env.cutoff() + hours(2), "reset");
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  REQUIRE(plan->actions.size() == 1);
  CHECK(plan->actions[0].count == 1);
  KeepingContext ctx;
  ExecResult r = policy.Execute(*plan, ctx);
  CHECK(r.rows == 1);
  CHECK_FALSE(env.Has(1));
  CHECK(env.Has(2));
  CHECK(env.Has(3));
}

TEST_CASE("pg: many batches delete every expired row and leave a mark") {
  PgRowsEnv env(kPgTypes[3]);
  env.pg.Sql("INSERT INTO app.events SELECT i, " +
             env.Literal(env.cutoff() - hours(10)) +
             " + i, 'a' FROM generate_series(1, 20000) i");
  env.InsertAt(30000, env.cutoff() + hours(1));
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  KeepingContext ctx;
  ExecResult r = policy.Execute(*plan, ctx);
  CHECK(r.errors.empty());
  CHECK(r.rows == 20000);
  CHECK(env.Count() == 1);
  // No intents in this context: no mark is left (intent 0).
  auto db = env.Open();
  REQUIRE(db.ok());
  auto batch = (*db)->DeleteBatch(env.cutoff(), 10, BatchMark{"rows.x", 7});
  REQUIRE(batch.ok());
  CHECK(batch->removed == 0);
}

TEST_CASE("pg: the batches' mark counts exactly what each intent removed") {
  PgRowsEnv env(kPgTypes[0]);
  for (int i = 1; i <= 10; ++i) env.InsertAt(i, env.cutoff() - hours(i));
  auto db = env.Open();
  REQUIRE(db.ok());
  auto none = (*db)->ReadMark("rows.events");
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  const BatchMark mark{"rows.events", 41};
  REQUIRE((*db)->DeleteBatch(env.cutoff(), 3, mark).ok());
  REQUIRE((*db)->DeleteBatch(env.cutoff(), 3, mark).ok());
  auto m = (*db)->ReadMark("rows.events");
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  CHECK((*m)->intent == 41);
  CHECK((*m)->rows == 6);
  // A new intent starts afresh.
  REQUIRE((*db)->DeleteBatch(env.cutoff(), 3, {"rows.events", 42}).ok());
  m = (*db)->ReadMark("rows.events");
  CHECK((*m)->intent == 42);
  CHECK((*m)->rows == 3);
  CHECK(env.Count() == 1);
  CHECK(env.pg.Value("SELECT rows FROM app.retentiond_batches") == "3");
}

TEST_CASE("pg: rows the application holds FOR UPDATE are skipped") {
  PgRowsEnv env(kPgTypes[0]);
  for (int i = 1; i <= 6; ++i) env.InsertAt(i, env.cutoff() - hours(i));
  auto app = env.pg.Connect();
  REQUIRE(app->Exec("BEGIN; SELECT * FROM app.events WHERE id IN (2, 5) FOR "
                    "UPDATE")
              .ok());
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions[0].count == 6);
  KeepingContext ctx;
  const auto start = std::chrono::steady_clock::now();
  ExecResult r = policy.Execute(*plan, ctx);
  CHECK(std::chrono::steady_clock::now() - start < seconds(2));  // no wait
  CHECK(r.errors.empty());
  CHECK(r.rows == 4);
  CHECK(env.Has(2));
  CHECK(env.Has(5));
  CHECK(env.Count() == 2);
  REQUIRE(app->Exec("COMMIT").ok());
  auto again = policy.MakePlan(env.clock.Now());
  REQUIRE(again.ok());
  CHECK(policy.Execute(*again, ctx).rows == 2);
  CHECK(env.Count() == 0);
}

TEST_CASE(
    "pg: a table locked ACCESS EXCLUSIVE makes a batch busy within its "
    "lock timeout, and the run finishes once it is free") {
  PgRowsEnv env(kPgTypes[0]);
  for (int i = 1; i <= 50; ++i) env.InsertAt(i, env.cutoff() - hours(i));
  env.InsertAt(100, env.cutoff() + hours(1));
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  auto app = LockTable(env);
  auto db = env.Open();
  REQUIRE(db.ok());
  auto start = std::chrono::steady_clock::now();
  auto batch = (*db)->DeleteBatch(env.cutoff(), 10, {});
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(batch.status().IsBusy());
  CHECK(batch.status().message().find("lock") != std::string::npos);
  CHECK(waited < std::chrono::milliseconds(1500));  // lock_timeout 200 ms
  // Planning (the survey) is bounded and reported the same way.
  auto blocked = policy.MakePlan(env.clock.Now());
  CHECK(blocked.status().IsBusy());
  // The application lets go after 4 s, in the middle of a run.
  std::thread release([&app] {
    std::this_thread::sleep_for(seconds(4));
    (void)app->Exec("COMMIT");  // checked below by the run's outcome
  });
  KeepingContext ctx;
  start = std::chrono::steady_clock::now();
  ExecResult r = policy.Execute(*plan, ctx);
  const auto took = std::chrono::steady_clock::now() - start;
  release.join();
  CHECK(r.errors.empty());
  CHECK(r.rows == 50);
  CHECK(took >= seconds(3));
  CHECK(took < seconds(15));
  CHECK(env.Count() == 1);
  CHECK(env.Has(100));
}

TEST_CASE(
    "pg: a lock held longer than the back-off gives up and deletes "
    "nothing") {
  PgRowsEnv env(kPgTypes[0]);
  for (int i = 1; i <= 5; ++i) env.InsertAt(i, env.cutoff() - hours(i));
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  auto app = LockTable(env);
  KeepingContext ctx;
  const auto start = std::chrono::steady_clock::now();
  ExecResult r = policy.Execute(*plan, ctx);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].find("lock timeout") != std::string::npos);
  CHECK(r.rows == 0);
  CHECK(took < BusyBackoff::kGiveUpAfter + seconds(15));
  REQUIRE(app->Exec("COMMIT").ok());
  CHECK(env.Count() == 5);
}

}  // namespace
}  // namespace retention::rows_pg_test

// A table that was never analyzed (no planner statistics) makes batches
// slow: the plan warns of it, and the first batch of a real run ANALYZEs
// the table when the role owns it (never VACUUM FULL); a role that does not
// own it gets a warning telling what to run, and its run still deletes.
#include "pg_rows_env.h"

namespace retention::rows_pg_analyze_test {
namespace {

using std::chrono::hours;

std::string Warnings(const Plan& plan) {
  std::string all;
  for (const std::string& w : plan.warnings) all += w + "\n";
  return all;
}

// 100 expired rows and 1 young one; autovacuum kept off the table so that
// it stays never analyzed until retentiond acts.
void Fill(PgRowsEnv& env) {
  env.pg.Sql("ALTER TABLE app.events SET (autovacuum_enabled = false)");
  env.pg.Sql("INSERT INTO app.events SELECT i, " +
             env.Literal(env.cutoff() - hours(10)) +
             " + i * interval '1 s', 'a' FROM generate_series(1, 100) i");
  env.InsertAt(101, env.cutoff() + hours(1));
}

std::string LastAnalyze(PgRowsEnv& env) {
  return env.pg.Value(
      "SELECT coalesce(last_analyze::text, 'never') FROM pg_stat_user_tables "
      "WHERE relid = 'app.events'::regclass");
}

TEST_CASE("pg: a never analyzed table is analyzed by the first batch") {
  PgRowsEnv env;
  Fill(env);
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK_THAT(Warnings(*plan),
             Catch::Contains("app.events has no planner statistics (never "
                             "analyzed)") &&
                 Catch::Contains("the next real run runs ANALYZE on it"));
  CHECK(LastAnalyze(env) == "never");  // planning only looks
  KeepingContext ctx;
  ExecResult r = policy.Execute(*plan, ctx);
  INFO((r.errors.empty() ? std::string() : r.errors.front()));
  CHECK(r.errors.empty());
  CHECK(r.rows == 100);
  CHECK(LastAnalyze(env) != "never");
  auto again = policy.MakePlan(env.clock.Now());
  REQUIRE(again.ok());
  CHECK_THAT(Warnings(*again), !Catch::Contains("planner statistics"));
}

TEST_CASE("pg: a role that does not own a never analyzed table is told") {
  PgRowsEnv env;
  Fill(env);
  env.pg.Sql("CREATE ROLE app LOGIN PASSWORD 'app-pw'; GRANT USAGE, "
             "CREATE ON SCHEMA app TO app; GRANT SELECT, UPDATE, "
             "DELETE ON app.events TO app");
  env.rule.target.pg_uri =
      "postgresql://app:app-pw@/postgres?host=" + env.pg.dir();
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK_THAT(Warnings(*plan),
             Catch::Contains("run ANALYZE app.events as its owner"));
  KeepingContext ctx;
  ExecResult r = policy.Execute(*plan, ctx);
  INFO((r.errors.empty() ? std::string() : r.errors.front()));
  CHECK(r.errors.empty());
  CHECK(r.rows == 100);
  CHECK(LastAnalyze(env) == "never");
}

}  // namespace
}  // namespace retention::rows_pg_analyze_test

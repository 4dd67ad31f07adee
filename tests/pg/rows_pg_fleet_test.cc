// A fleet on the private cluster: marks per (policy, host), the lease and
// its fencing token, and the migration of a table of one mark per policy.
#include <catch2/catch.hpp>
#include <thread>

#include "pg_rows_env.h"

namespace retention::rows_pg_fleet_test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

StatusOr<std::unique_ptr<Database>> OpenAs(PgRowsEnv& env,
                                           const std::string& host) {
  RowsTarget target = env.rule.target;
  target.host = host;
  return OpenPgDatabase(target, false);
}

// Ten expired rows and a connection for each of host-a and host-b.
struct TwoHosts {
  PgRowsEnv env;
  std::unique_ptr<Database> a, b;
  TwoHosts() {
    for (int i = 1; i <= 10; ++i) env.InsertAt(i, env.cutoff() - hours(i));
    auto da = OpenAs(env, "host-a");
    auto db = OpenAs(env, "host-b");
    REQUIRE(da.ok());
    REQUIRE(db.ok());
    a = std::move(*da);
    b = std::move(*db);
  }
};

TEST_CASE("pg: one host holds a policy's lease until it expires") {
  TwoHosts hosts;
  PgRowsEnv& env = hosts.env;
  auto& a = hosts.a;
  auto& b = hosts.b;
  auto ga = a->AcquireLease("rows.events", seconds(30));
  REQUIRE(ga.ok());
  CHECK(ga->granted);
  auto gb = b->AcquireLease("rows.events", seconds(30));
  REQUIRE(gb.ok());
  CHECK_FALSE(gb->granted);
  CHECK(gb->holder.host == "host-a");
  CHECK(gb->holder.token == ga->holder.token);
  // The holder's batches renew it with its token.
  const BatchMark mark_a{"rows.events", 5, ga->holder.token, seconds(30)};
  auto batch = a->DeleteBatch(env.cutoff(), 3, mark_a);
  REQUIRE(batch.ok());
  CHECK(batch->removed == 3);
  CHECK(batch->lease_until.has_value());
  // Expired (the holder was killed): the other host takes it, token + 1.
  env.pg.Sql(
      "UPDATE app.retentiond_leases SET expires_at = now() - "
      "interval '1 second'");
  gb = b->AcquireLease("rows.events", seconds(30));
  REQUIRE(gb.ok());
  CHECK(gb->granted);
  CHECK(gb->holder.token == ga->holder.token + 1);
  // The old holder's next batch is fenced off: nothing deleted.
  batch = a->DeleteBatch(env.cutoff(), 3, mark_a);
  REQUIRE_FALSE(batch.ok());
  CHECK(batch.status().code() == Status::Code::kAborted);
  CHECK(env.Count() == 7);
  auto lease = a->ReadLease("rows.events");
  REQUIRE(lease.ok());
  REQUIRE(lease->has_value());
  CHECK((*lease)->host == "host-b");
}

TEST_CASE("pg: each host's batches have their own mark") {
  TwoHosts hosts;
  PgRowsEnv& env = hosts.env;
  auto& a = hosts.a;
  auto& b = hosts.b;
  // The same intent number on two hosts (each state database counts its
  // own) must not add up.
  REQUIRE(a->DeleteBatch(env.cutoff(), 2, {"rows.events", 7}).ok());
  REQUIRE(b->DeleteBatch(env.cutoff(), 3, {"rows.events", 7}).ok());
  auto ma = a->ReadMark("rows.events");
  auto mb = b->ReadMark("rows.events");
  REQUIRE(ma.ok());
  REQUIRE(mb.ok());
  REQUIRE(ma->has_value());
  REQUIRE(mb->has_value());
  CHECK((*ma)->rows == 2);
  CHECK((*mb)->rows == 3);
}

TEST_CASE("pg: an intent number reused by a new state database starts afresh") {
  TwoHosts hosts;
  REQUIRE(hosts.a->DeleteBatch(hosts.env.cutoff(), 2, {"rows.events", 1}).ok());
  // host-a again with a recreated state directory: intent 1 again, a new
  // run (a new connection).
  auto again = OpenAs(hosts.env, "host-a");
  REQUIRE(again.ok());
  REQUIRE(
      (*again)->DeleteBatch(hosts.env.cutoff(), 3, {"rows.events", 1}).ok());
  REQUIRE(
      (*again)->DeleteBatch(hosts.env.cutoff(), 1, {"rows.events", 1}).ok());
  auto m = (*again)->ReadMark("rows.events");
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  CHECK((*m)->rows == 4);  // 3 + 1, not 2 + 3 + 1
}

TEST_CASE("pg: a table of one mark per policy is migrated, keeping marks") {
  PgRowsEnv env;
  for (int i = 1; i <= 10; ++i) env.InsertAt(i, env.cutoff() - hours(i));
  env.pg.Sql(
      "CREATE TABLE app.retentiond_batches (policy text PRIMARY KEY, intent "
      "bigint NOT NULL, rows bigint NOT NULL, min_rowid bigint NOT NULL, "
      "max_rowid bigint NOT NULL); INSERT INTO app.retentiond_batches "
      "VALUES ('rows.events', 9, 4, 0, 0)");
  auto a = OpenAs(env, "host-a");
  REQUIRE(a.ok());
  // Before any batch of this version: read as it was.
  auto m = (*a)->ReadMark("rows.events");
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  CHECK((*m)->intent == 9);
  CHECK((*m)->rows == 4);
  REQUIRE((*a)->DeleteBatch(env.cutoff(), 2, {"rows.events", 10}).ok());
  CHECK(env.pg.Value("SELECT count(*) FROM app.retentiond_batches") == "2");
  m = (*a)->ReadMark("rows.events");
  CHECK((*m)->intent == 10);
  CHECK((*m)->rows == 2);
  // A host with no mark of its own recovers from the migrated one.
  auto b = OpenAs(env, "host-b");
  REQUIRE(b.ok());
  m = (*b)->ReadMark("rows.events");
  REQUIRE(m.ok());
  REQUIRE(m->has_value());
  CHECK((*m)->intent == 9);
}

TEST_CASE("pg: a host without the lease plans but deletes nothing") {
  PgRowsEnv env;
  for (int i = 1; i <= 10; ++i) env.InsertAt(i, env.cutoff() - hours(i));
  auto a = OpenAs(env, "host-a");
  REQUIRE(a.ok());
  auto held = (*a)->AcquireLease("rows.events", hours(1));
  REQUIRE(held.ok());
  REQUIRE(held->granted);
  env.rule.target.host = "host-b";
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions.size() == 1);
  REQUIRE_FALSE(plan->warnings.empty());
  CHECK(plan->warnings.back().find("held by host-a until") !=
        std::string::npos);
  KeepingContext ctx;
  ExecResult r = policy.Execute(*plan, ctx);
  CHECK(r.errors.empty());
  CHECK(r.rows == 0);
  CHECK(env.Count() == 10);
  auto holder = policy.work_holder();
  REQUIRE(holder.has_value());
  CHECK(holder->host == "host-a");
  // Once it is free, the same policy takes it and deletes.
  env.pg.Sql("UPDATE app.retentiond_leases SET expires_at = now()");
  r = policy.Execute(*plan, ctx);
  CHECK(r.errors.empty());
  CHECK(r.rows == 10);
  CHECK(policy.work_holder()->host == "host-b");
}

TEST_CASE("pg: a host refused a lease that runs out soon runs again just after it") {
  PgRowsEnv env;
  for (int i = 1; i <= 10; ++i) env.InsertAt(i, env.cutoff() - hours(i));
  auto a = OpenAs(env, "host-a");
  REQUIRE(a.ok());
  REQUIRE((*a)->AcquireLease("rows.events", seconds(30))->granted);
  env.rule.target.host = "host-b";
  env.rule.every = hours(1);
  RowsPolicy policy = env.Policy();
  CHECK_FALSE(policy.NextWake(env.clock.Now()));
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  KeepingContext ctx;
  // The run ends at once (the lane's other policies do not wait for the
  // lease) and asks to run again when the lease is free.
  ExecResult r = policy.Execute(*plan, ctx);
  CHECK(r.errors.empty());
  CHECK(env.Count() == 10);
  auto wake = policy.NextWake(env.clock.Now());
  REQUIRE(wake);
  CHECK(*wake - env.clock.Now() > seconds(25));
  CHECK(*wake - env.clock.Now() <= seconds(30) + kLeaseRetrySlack);
  CHECK_FALSE(policy.NextWake(*wake));  // asked once, not again after
  // A lease longer than the period: the next run comes at its time.
  REQUIRE((*a)->AcquireLease("rows.events", hours(2))->granted);
  r = policy.Execute(*plan, ctx);
  CHECK(r.errors.empty());
  CHECK_FALSE(policy.NextWake(env.clock.Now()));
  // Once it has the lease, nothing is asked.
  env.pg.Sql("UPDATE app.retentiond_leases SET expires_at = now()");
  r = policy.Execute(*plan, ctx);
  CHECK(r.rows == 10);
  CHECK_FALSE(policy.NextWake(env.clock.Now()));
}

TEST_CASE("pg: a run whose lease another host took stops and says so") {
  PgRowsEnv env;
  env.pg.Sql(
      "INSERT INTO app.events SELECT i, now() - interval '2 hours' - i * "
      "interval '1 second', 'a' FROM generate_series(1, 20000) i; ANALYZE "
      "app.events");
  env.clock.SetWall(
      std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
  env.rule.target.host = "host-a";
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  KeepingContext ctx;
  ExecResult r;
  std::thread run([&] { r = policy.Execute(*plan, ctx); });
  // Once batches have begun, the lease moves to another host (as if
  // host-a's had run out and host-b had taken it).
  while (env.Count() == 20000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  env.pg.Sql(
      "UPDATE app.retentiond_leases SET holder = 'host-b', token = "
      "token + 1");
  run.join();
  REQUIRE_FALSE(r.errors.empty());
  CHECK(r.errors.front().find("no longer this host's") != std::string::npos);
  const int64_t left = env.Count();
  CHECK(left > 0);
  CHECK(static_cast<int64_t>(r.rows) == 20000 - left);
  uint64_t recorded = 0;
  for (const Action& a : ctx.recorded) recorded += a.count;
  CHECK(recorded == r.rows);
}

}  // namespace
}  // namespace retention::rows_pg_fleet_test

// The ledger never overstates when the PostgreSQL server crashes: batches
// commit asynchronously, and a crash (pg_ctl stop -m immediate) right after
// a run would take back the batches whose commit records were still in
// the server's memory. The WAL writer is slowed to 10 s so that window
// spans the whole run; after the crash and recovery the rows gone must
// equal what the run recorded, and the recovery of an interrupted run
// (ReadMark) counts only durable batches.
#include "pg_rows_env.h"

namespace retention::rows_pg_crash_test {
namespace {

using std::chrono::hours;

// Numbers intents as a ledger would (so batches write their mark) and
// sums what is recorded.
class CountingContext final : public ExecContext {
 public:
  Status Record(const std::string&, const Action& action) override {
    recorded += action.count;
    return Status::Ok();
  }
  Status Intend(const std::string&, const std::vector<const Action*>& actions,
                std::vector<int64_t>* ids) override {
    for (size_t i = 0; i < actions.size(); ++i) ids->push_back(++next_);
    return Status::Ok();
  }
  bool stopping() const override { return false; }
  uint64_t recorded = 0;

 private:
  int64_t next_ = 0;
};

// A cluster whose WAL writer flushes asynchronous commits only every
// `delay` (10 s: longer than MakeDurable waits for it, so it forces the
// flush; 1 s: it waits), with `n` expired rows (made durable) and one young
// row.
void SlowWalWith(PgRowsEnv& env, int n, const std::string& delay = "10s") {
  env.pg.Sql("ALTER SYSTEM SET wal_writer_delay = '" + delay + "'");
  env.pg.Sql("SELECT pg_reload_conf()");
  env.pg.Sql("SET synchronous_commit = on");
  env.pg.Sql("INSERT INTO app.events SELECT i, " +
             env.Literal(env.cutoff() - hours(10)) +
             " + i * interval '1 ms', 'a' FROM generate_series(1, " +
             std::to_string(n) + ") i");
  env.InsertAt(n + 1, env.cutoff() + hours(1));
  env.pg.Sql("ANALYZE app.events");
}

TEST_CASE("pg: a server crash right after a run takes back no recorded row") {
  PgRowsEnv env;
  const int n = 30000;
  // 10 s: the run forces the flush; 1 s: it waits for the WAL writer's.
  const std::string delay = GENERATE(std::string("10s"), std::string("1s"));
  INFO("wal_writer_delay " << delay);
  SlowWalWith(env, n, delay);
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CountingContext ctx;
  ExecResult r = policy.Execute(*plan, ctx);
  CHECK(r.errors.empty());
  const uint64_t recorded = ctx.recorded;
  CHECK(recorded == n);

  env.pg.Crash();
  env.pg.Start();
  const int64_t gone = n + 1 - env.Count();
  CHECK(gone == int64_t(recorded));
  CHECK(env.Has(n + 1));
}

TEST_CASE("pg: the mark read at recovery counts only durable batches") {
  PgRowsEnv env;
  SlowWalWith(env, 100);
  auto db = env.Open();
  REQUIRE(db.ok());
  const BatchMark mark{"rows.events", 41};
  REQUIRE((*db)->DeleteBatch(env.cutoff(), 30, mark).ok());
  auto read = (*db)->ReadMark("rows.events");
  REQUIRE(read.ok());
  REQUIRE(read->has_value());
  CHECK((*read)->rows == 30);
  db->reset();

  env.pg.Crash();
  env.pg.Start();
  CHECK(env.Count() == 71);
  CHECK(env.pg.Value("SELECT rows FROM app.retentiond_batches") == "30");
}

}  // namespace
}  // namespace retention::rows_pg_crash_test

// The rows kind on PostgreSQL with bad input: an unreachable server, a
// wrong password (never printed), a missing table, column or index, a
// column whose type the time_format does not read, and a `where` that does
// not parse. Each fails with a clear error and deletes nothing.
#include <catch2/catch.hpp>

#include "pg_rows_env.h"

namespace retention::rows_pg_bad_input_test {
namespace {

bool Has(const Status& st, const std::string& text) {
  INFO(st.ToString());
  return st.message().find(text) != std::string::npos;
}

TEST_CASE("pg: an unreachable server is a clear error naming it") {
  RowsTarget target;
  target.pg_uri = "postgresql://app:hunter2@/app?host=/nonexistent-dir";
  target.table = "events";
  target.time_column = "ts";
  auto db = OpenPgDatabase(target, true);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kIoError);
  CHECK(Has(db.status(), "cannot connect to postgresql://app:***@/app"));
  CHECK_FALSE(Has(db.status(), "hunter2"));
}

TEST_CASE("pg: a wrong password is PermissionDenied and never printed") {
  PgRowsEnv env;
  env.rule.target.pg_uri = env.pg.Uri("wrong-pass-word");
  auto db = env.Open(true);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == Status::Code::kPermissionDenied);
  CHECK(Has(db.status(), "password authentication failed"));
  CHECK_FALSE(Has(db.status(), "wrong-pass-word"));
  CHECK(Has(db.status(), "postgres:***@"));
  auto plan = env.Policy().MakePlan(env.clock.Now());
  CHECK(plan.status().code() == Status::Code::kPermissionDenied);
}

TEST_CASE("pg: a missing table, schema or column is NotFound") {
  PgRowsEnv env;
  for (const char* table : {"app.nope", "nope.events", "events"}) {
    INFO(table);
    env.rule.target.table = table;
    auto db = env.Open(true);
    REQUIRE(db.ok());
    Status st = (*db)->Check(true);
    CHECK(st.IsNotFound());
    CHECK(Has(st, std::string("no table ") + table));
    CHECK_FALSE(Has(st, PgCluster::kPassword));
  }
  env.rule.target.table = "app.events";
  env.rule.target.time_column = "created";
  auto db = env.Open(true);
  REQUIRE(db.ok());
  Status st = (*db)->Check(true);
  CHECK(st.IsNotFound());
  CHECK(Has(st, "no column created in app.events"));
}

TEST_CASE("pg: a time column without an index names the CREATE INDEX") {
  PgRowsEnv env(kPgTypes[0], /*index=*/false);
  auto db = env.Open(true);
  REQUIRE(db.ok());
  Status st = (*db)->Check(false);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(Has(st, "CREATE INDEX CONCURRENTLY ON \"app\".\"events\" (\"ts\")"));
  CHECK((*db)->Check(true).ok());  // allow_full_scan
  // An index whose first column is another one does not count.
  env.pg.Sql("CREATE INDEX events_kind_ts ON app.events (kind, ts)");
  CHECK_FALSE((*db)->Check(false).ok());
  env.pg.Sql("CREATE INDEX events_ts_kind ON app.events (ts, kind)");
  CHECK((*db)->Check(false).ok());
}

TEST_CASE("pg: a time_format the column's type does not fit is refused") {
  PgRowsEnv env(kPgTypes[0]);
  env.rule.target.format = TimeFormat::kUnixSeconds;
  auto db = env.Open(true);
  REQUIRE(db.ok());
  Status st = (*db)->Check(false);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(Has(st, "is timestamp with time zone"));
  CHECK(Has(st, "time_format = native"));
  PgRowsEnv ints(kPgTypes[3]);
  ints.rule.target.format = TimeFormat::kNative;
  auto idb = ints.Open(true);
  REQUIRE(idb.ok());
  st = (*idb)->Check(false);
  CHECK(Has(st, "is bigint"));
  CHECK(Has(st, "unix or unix_ms"));
  ints.pg.Sql("ALTER TABLE app.events ADD COLUMN label text");
  ints.rule.target.time_column = "label";
  idb = ints.Open(true);
  REQUIRE(idb.ok());
  CHECK(Has((*idb)->Check(true), "is text"));
}

TEST_CASE("pg: a where that does not parse or names no column is refused") {
  for (const char* where : {"kind = = 'a'", "nope = 1", "kind = 1"}) {
    INFO(where);
    PgRowsEnv env(kPgTypes[0], true, where);
    env.InsertAt(1, env.cutoff() - std::chrono::hours(2));
    auto db = env.Open(true);
    REQUIRE(db.ok());
    Status st = (*db)->Check(false);
    CHECK(st.code() == Status::Code::kInvalidArgument);
    CHECK(Has(st, "where does not compile against app.events"));
    CHECK(env.Count() == 1);
  }
}

}  // namespace
}  // namespace retention::rows_pg_bad_input_test

// The rows kind on real SQLite files: every time format, never early, the
// where clause, and each deleting test's dry-run twin.
#include <catch2/catch.hpp>

#include "kinds/rows/rows_planner.h"
#include "rows_env.h"

namespace retention::rows_sqlite_test {
namespace {

using std::chrono::seconds;

const TimeFormat kFormats[] = {TimeFormat::kUnixSeconds,
                               TimeFormat::kUnixMillis, TimeFormat::kIso8601,
                               TimeFormat::kJulianDay};

// Rows 1 s older than the cutoff, at it, and 1 s younger; an hour older.
void SeedAroundCutoff(RowsEnv& env) {
  env.InsertAt(1, env.cutoff() - seconds(1));
  env.InsertAt(2, env.cutoff());
  env.InsertAt(3, env.cutoff() + seconds(1));
  env.InsertAt(4, env.cutoff() - std::chrono::hours(1));
}

TEST_CASE("rows older than the cutoff are deleted in every time format") {
  for (TimeFormat format : kFormats) {
    INFO(TimeFormatName(format));
    RowsEnv env(format);
    SeedAroundCutoff(env);
    RowsPolicy policy = env.Policy();
    auto plan = policy.MakePlan(env.clock.Now());
    REQUIRE(plan.ok());
    REQUIRE(plan->actions.size() == 1);
    CHECK(plan->actions[0].count == 2);
    CHECK(plan->kept->count == 2);
    KeepingContext ctx;
    ExecResult r = policy.Execute(*plan, ctx);
    CHECK(r.errors.empty());
    CHECK(r.done == 1);
    CHECK_FALSE(env.Has(1));
    CHECK_FALSE(env.Has(4));
    // Never early: the row at the cutoff and the one a second younger stay.
    CHECK(env.Has(2));
    CHECK(env.Has(3));
    REQUIRE(ctx.recorded.size() == 1);
    CHECK(ctx.recorded[0].count == 2);
    CHECK(ctx.recorded[0].target == "events rowid 1..4");
    CHECK(LatenessOf(ctx.recorded[0].reason) == seconds(3600));
  }
}

TEST_CASE("a rows dry run deletes nothing in any time format") {
  for (TimeFormat format : kFormats) {
    INFO(TimeFormatName(format));
    RowsEnv env(format);
    SeedAroundCutoff(env);
    auto plan = env.Policy().MakePlan(env.clock.Now());
    REQUIRE(plan.ok());
    CHECK(plan->actions[0].count == 2);
    CHECK(env.Count() == 4);
  }
}

TEST_CASE("the oldest surviving matching row is measured") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  SeedAroundCutoff(env);
  auto db = env.Open(true);
  REQUIRE(db.ok());
  auto survey = (*db)->Survey(env.cutoff());
  REQUIRE(survey.ok());
  CHECK(survey->expired == 2);
  CHECK(survey->oldest_expired == env.cutoff() - std::chrono::hours(1));
  CHECK(survey->kept == 2);
  CHECK(survey->oldest_kept == env.cutoff());
  CHECK(survey->unparseable == 0);
}

TEST_CASE("ISO-8601 text with a space, fractions or an offset is never early") {
  RowsEnv env(TimeFormat::kIso8601);
  const std::string day = FormatIso8601(env.cutoff()).substr(0, 10);
  const std::string hms = FormatIso8601(env.cutoff()).substr(11, 8);
  env.Insert(1, "'" + day + " " + hms + "'");       // at the cutoff
  env.Insert(2, "'" + day + "T" + hms + ".500Z'");  // just after it
  env.InsertAt(3, env.cutoff() - seconds(1));
  env.Insert(4, "'" + day + " 00:00:00'");  // hours before
  // 2 h before the cutoff in UTC, but written as local time at +05:00.
  env.InsertAt(5, env.cutoff() + std::chrono::hours(3));
  env.Sql("UPDATE events SET ts = replace(ts, 'Z', '+05:00') WHERE id = 5");
  KeepingContext ctx;
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  policy.Execute(*plan, ctx);
  CHECK(env.Has(1));
  CHECK(env.Has(2));
  CHECK_FALSE(env.Has(3));
  CHECK_FALSE(env.Has(4));
  // Sorted by its text it looks young, so it goes later — never earlier.
  CHECK(env.Has(5));
}

TEST_CASE("the where clause limits which rows a policy deletes") {
  RowsEnv env(TimeFormat::kUnixSeconds, true, "kind = 'reset'");
  env.InsertAt(1, env.cutoff() - seconds(10), "reset");
  env.InsertAt(2, env.cutoff() - seconds(10), "verify");
  env.InsertAt(3, env.cutoff() + seconds(10), "reset");
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions[0].count == 1);
  CHECK(plan->kept->count == 1);  // the young reset row; verify is not ours
  KeepingContext ctx;
  policy.Execute(*plan, ctx);
  CHECK_FALSE(env.Has(1));
  CHECK(env.Has(2));
  CHECK(env.Has(3));
}

TEST_CASE("a rows dry run with a where clause deletes nothing") {
  RowsEnv env(TimeFormat::kUnixSeconds, true, "kind = 'reset'");
  env.InsertAt(1, env.cutoff() - seconds(10), "reset");
  env.InsertAt(2, env.cutoff() - seconds(10), "verify");
  auto plan = env.Policy().MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions[0].count == 1);
  CHECK(env.Count() == 2);
}

TEST_CASE("a where clause that does not compile is refused") {
  for (const char* where : {"no_such_column = 1", "kind = ", "kind IN"}) {
    INFO(where);
    RowsEnv env(TimeFormat::kUnixSeconds, true, where);
    auto db = env.Open(true);
    REQUIRE(db.ok());
    Status st = (*db)->Check(false);
    CHECK(st.code() == Status::Code::kInvalidArgument);
    CHECK(st.message().find("where does not compile") == 0);
  }
}

TEST_CASE("a time column without an index is refused, naming the index") {
  RowsEnv env(TimeFormat::kUnixSeconds, /*index=*/false);
  auto db = env.Open(true);
  REQUIRE(db.ok());
  Status st = (*db)->Check(false);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("CREATE INDEX events_ts ON events(ts)") !=
        std::string::npos);
  CHECK(st.message().find("allow_full_scan = yes") != std::string::npos);
  CHECK((*db)->Check(true).ok());
}

TEST_CASE("an index on the time column passes the check in every format") {
  for (TimeFormat format : kFormats) {
    INFO(TimeFormatName(format));
    RowsEnv env(format);
    auto db = env.Open(true);
    REQUIRE(db.ok());
    Status st = (*db)->Check(false);
    INFO(st.ToString());
    CHECK(st.ok());
  }
}

TEST_CASE("an index on another column does not pass the check") {
  RowsEnv env(TimeFormat::kUnixSeconds, false);
  env.Sql("CREATE INDEX events_kind ON events(kind)");
  env.Sql("CREATE INDEX events_ts_kind ON events(kind, ts)");
  auto db = env.Open(true);
  REQUIRE(db.ok());
  CHECK((*db)->Check(false).code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace retention::rows_sqlite_test

// Helpers for the rows kind's PostgreSQL tests: a private cluster
// (pg_cluster.h), a table app.events whose time column `ts` has a chosen
// SQL type, an index on it unless asked not to, rows inserted at exact
// times, and a RowsPolicy on it driven by a FakeClock.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "fakes/fake_clock.h"
#include "fakes/keeping_context.h"
#include "kinds/rows/rows_policy.h"
#include "pg_cluster.h"

namespace retention {

struct PgType {
  const char* sql;  // the column's type
  TimeFormat format;
};
const PgType kPgTypes[] = {
    {"timestamptz", TimeFormat::kNative},  {"timestamp", TimeFormat::kNative},
    {"date", TimeFormat::kNative},         {"bigint", TimeFormat::kUnixSeconds},
    {"integer", TimeFormat::kUnixSeconds}, {"bigint", TimeFormat::kUnixMillis}};

struct PgRowsEnv {
  PgCluster pg;
  FakeClock clock;
  RowsRule rule;
  std::string type;

  explicit PgRowsEnv(PgType t = kPgTypes[0], bool index = true,
                     std::string where = "")
      : type(t.sql) {
    rule.target.pg_uri = pg.Uri();
    rule.target.table = "app.events";
    rule.target.time_column = "ts";
    rule.target.where = std::move(where);
    rule.target.format = t.format;
    rule.target.lock_timeout = std::chrono::milliseconds(200);
    rule.target.statement_timeout = std::chrono::seconds(5);
    rule.max_age = std::chrono::hours(1);
    rule.every = std::chrono::minutes(1);
    pg.Sql(
        "CREATE SCHEMA app; CREATE TABLE app.events (id bigint PRIMARY "
        "KEY, ts " +
        type + ", kind text)");
    if (index) pg.Sql("CREATE INDEX events_ts ON app.events (ts)");
  }
  WallTime cutoff() const { return clock.Now() - rule.deadline(); }
  // `t` as the column stores it, as an SQL literal.
  std::string Literal(WallTime t) const {
    const int64_t s =
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
            .count();
    if (rule.target.format == TimeFormat::kUnixMillis) {
      return std::to_string(s * 1000);
    }
    if (rule.target.format == TimeFormat::kUnixSeconds) {
      return std::to_string(s);
    }
    const std::string tz = "to_timestamp(" + std::to_string(s) + ")";
    if (type == "timestamptz") return tz;
    return "(" + tz + " AT TIME ZONE 'UTC')::" + type;
  }
  void Insert(int64_t id, const std::string& ts,
              const std::string& kind = "a") {
    pg.Sql("INSERT INTO app.events VALUES (" + std::to_string(id) + ", " + ts +
           ", '" + kind + "')");
  }
  void InsertAt(int64_t id, WallTime t, const std::string& kind = "a") {
    Insert(id, Literal(t), kind);
  }
  bool Has(int64_t id) {
    return pg.Value("SELECT count(*) FROM app.events WHERE id = " +
                    std::to_string(id)) == "1";
  }
  int64_t Count() {
    return std::stoll(pg.Value("SELECT count(*) FROM app.events"));
  }
  StatusOr<std::unique_ptr<Database>> Open(bool read_only = false) {
    return OpenPgDatabase(rule.target, read_only);
  }
  RowsPolicy Policy() {
    RowsTarget target = rule.target;
    return RowsPolicy("rows.events", rule, clock, [target](bool read_only) {
      return OpenPgDatabase(target, read_only);
    });
  }
};

}  // namespace retention

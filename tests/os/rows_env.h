// Helpers for the rows kind's OS tests: an application database in a temp
// directory (WAL, a table with a time column in a chosen format, an index
// on it unless asked not to), rows inserted at exact times, and a
// RowsPolicy on it driven by a FakeClock. Single-threaded test use only.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "db_test_util.h"
#include "fakes/fake_clock.h"
#include "fakes/keeping_context.h"
#include "kinds/rows/rows_policy.h"

namespace retention {

struct RowsEnv {
  TempDir tmp;
  std::string path = tmp.File("app.db");
  FakeClock clock;
  RowsRule rule;
  std::unique_ptr<SqliteConnection> app;  // the application's own connection

  explicit RowsEnv(TimeFormat format, bool index = true,
                   std::string where = "") {
    rule.target = {path, "events", "ts", std::move(where), format};
    rule.max_age = std::chrono::hours(1);
    rule.every = std::chrono::minutes(1);
    auto db = SqliteConnection::Open(
        path, SqliteConnection::OpenMode::kReadWriteCreate);
    REQUIRE(db.ok());
    app = std::move(*db);
    Sql("PRAGMA journal_mode = WAL");
    Sql("CREATE TABLE events (id INTEGER PRIMARY KEY, ts, kind TEXT)");
    if (index) Sql("CREATE INDEX events_ts ON events(ts)");
  }
  void Sql(const std::string& sql) {
    Status st = app->Exec(sql);
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
  WallTime cutoff() const { return clock.Now() - rule.deadline(); }
  // `t` as the column's format stores it, as an SQL literal.
  std::string Literal(WallTime t) const {
    const double s =
        std::chrono::duration<double>(t.time_since_epoch()).count();
    switch (rule.target.format) {
      case TimeFormat::kUnixSeconds:
        return std::to_string(static_cast<int64_t>(s));
      case TimeFormat::kUnixMillis:
        return std::to_string(static_cast<int64_t>(std::llround(s * 1000)));
      case TimeFormat::kJulianDay:
        return "julianday(" + std::to_string(static_cast<int64_t>(s)) +
               ", 'unixepoch')";
      case TimeFormat::kIso8601:
      case TimeFormat::kNative:  // PostgreSQL only
        break;
    }
    return "'" + FormatIso8601(t) + "'";
  }
  void Insert(int64_t id, const std::string& ts_literal,
              const std::string& kind = "a") {
    Sql("INSERT INTO events VALUES (" + std::to_string(id) + ", " + ts_literal +
        ", '" + kind + "')");
  }
  void InsertAt(int64_t id, WallTime t, const std::string& kind = "a") {
    Insert(id, Literal(t), kind);
  }
  bool Has(int64_t id) {
    auto n = app->QueryText("SELECT count(*) FROM events WHERE id = " +
                            std::to_string(id));
    REQUIRE(n.ok());
    return *n == "1";
  }
  int64_t Count() {
    auto n = app->QueryText("SELECT count(*) FROM events");
    REQUIRE(n.ok());
    return std::stoll(*n);
  }
  StatusOr<std::unique_ptr<Database>> Open(bool read_only = false) {
    return OpenSqliteDatabase(rule.target, read_only,
                              std::chrono::milliseconds(50));
  }
  RowsPolicy Policy() {
    RowsTarget target = rule.target;
    return RowsPolicy("rows.events", rule, clock, [target](bool read_only) {
      return OpenSqliteDatabase(target, read_only,
                                std::chrono::milliseconds(50));
    });
  }
};

}  // namespace retention

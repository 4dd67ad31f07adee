// The rows kind on bad input: a missing database, table or column, a
// locked, corrupt or read-only database, time values that are not times,
// and policies built from configuration text. Each fails clearly and
// deletes nothing it should not.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "config/kind_registry.h"
#include "fakes/fake_filesystem.h"
#include "rows_env.h"

namespace retention::rows_bad_input_test {
namespace {

using std::chrono::seconds;

// Sets the immutable attribute on `path` for the guard's lifetime (as
// root; even root cannot open such a file for writing).
class Immutable {
 public:
  explicit Immutable(const std::string& path) : path_(path) { Set(true); }
  ~Immutable() { Set(false); }
  bool ok() const { return ok_; }

 private:
  void Set(bool on) {
    int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    int flags = 0;
    ok_ = fd >= 0 && ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok_ = ok_ && ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    if (fd >= 0) close(fd);
  }
  std::string path_;
  bool ok_ = false;
};

TEST_CASE("a missing database file is a clear NotFound error") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.rule.target.path = env.tmp.File("missing.db");
  auto db = env.Open(true);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().IsNotFound());
  CHECK(db.status().message().find("missing.db") != std::string::npos);
  auto plan = env.Policy().MakePlan(env.clock.Now());
  CHECK(plan.status().IsNotFound());
}

TEST_CASE("a missing table or column is a clear NotFound error") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.rule.target.table = "nope";
  auto db = env.Open(true);
  REQUIRE(db.ok());
  Status st = (*db)->Check(true);
  CHECK(st.IsNotFound());
  CHECK(st.message().find("no table nope in ") == 0);
  env.rule.target.table = "events";
  env.rule.target.time_column = "created";
  db = env.Open(true);
  st = (*db)->Check(true);
  CHECK(st.IsNotFound());
  CHECK(st.message().find("no column created in events") == 0);
}

TEST_CASE("a time column renamed at runtime is an error, not zero rows") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.InsertAt(1, env.clock.Now() - std::chrono::hours(2));
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions.size() == 1);
  env.Sql("ALTER TABLE events RENAME COLUMN ts TO made_at");
  // With double-quoted string literals on, "ts" became the text 'ts' and
  // the plan found nothing to do, forever.
  plan = policy.MakePlan(env.clock.Now());
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().message().find("no column ts in events") !=
        std::string::npos);
  auto db = env.Open(true);
  REQUIRE(db.ok());
  auto survey = (*db)->Survey(env.cutoff());
  CHECK_FALSE(survey.ok());
}

TEST_CASE("an index dropped at runtime is an error at the next run") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.InsertAt(1, env.clock.Now() - std::chrono::hours(2));
  RowsPolicy policy = env.Policy();
  REQUIRE(policy.MakePlan(env.clock.Now()).ok());
  env.Sql("DROP INDEX events_ts");
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().message().find("does not use an index on ts") !=
        std::string::npos);
  CHECK(env.Has(1));
}

TEST_CASE("a view is refused as a rows table") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.Sql("CREATE VIEW recent AS SELECT * FROM events");
  env.rule.target.table = "recent";
  auto db = env.Open(true);
  Status st = (*db)->Check(true);
  CHECK(st.code() == Status::Code::kInvalidArgument);
  CHECK(st.message().find("rowid table") != std::string::npos);
}

TEST_CASE("a locked database fails the plan as busy and deletes nothing") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.InsertAt(1, env.cutoff() - seconds(10));
  env.Sql("PRAGMA journal_mode = DELETE");
  env.Sql("BEGIN EXCLUSIVE");
  auto plan = env.Policy().MakePlan(env.clock.Now());
  CHECK(plan.status().IsBusy());
  auto db = env.Open();  // may already need the lock for its settings
  if (db.ok()) {
    CHECK((*db)->DeleteBatch(env.cutoff(), 100, {}).status().IsBusy());
  } else {
    CHECK(db.status().IsBusy());
  }
  env.Sql("ROLLBACK");
  CHECK(env.Has(1));
}

TEST_CASE("a writer holding the lock makes a batch busy, not a failure") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.InsertAt(1, env.cutoff() - seconds(10));
  env.Sql("BEGIN IMMEDIATE");
  auto db = env.Open();
  REQUIRE(db.ok());
  // WAL: reading goes on while the application writes.
  auto survey = (*db)->Survey(env.cutoff());
  REQUIRE(survey.ok());
  CHECK(survey->expired == 1);
  CHECK((*db)->DeleteBatch(env.cutoff(), 100, {}).status().IsBusy());
  env.Sql("COMMIT");
  auto batch = (*db)->DeleteBatch(env.cutoff(), 100, {});
  REQUIRE(batch.ok());
  CHECK(batch->removed == 1);
}

TEST_CASE("a corrupt database file is reported as corruption") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.rule.target.path = env.tmp.File("garbage.db");
  std::ofstream(env.rule.target.path) << std::string(8192, 'x');
  auto db = env.Open(true);
  REQUIRE(db.ok());  // SQLite reads nothing until the first statement
  Status st = (*db)->Check(true);
  CHECK(st.code() == Status::Code::kCorruption);
  CHECK(st.message().find("garbage.db") != std::string::npos);
  auto plan = env.Policy().MakePlan(env.clock.Now());
  CHECK(plan.status().code() == Status::Code::kCorruption);
}

TEST_CASE("a read-only database refuses deletion with PermissionDenied") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.InsertAt(1, env.cutoff() - seconds(10));
  env.Sql("PRAGMA journal_mode = DELETE");
  env.app.reset();
  {
    auto ro = env.Open(/*read_only=*/true);
    REQUIRE(ro.ok());
    CHECK((*ro)->DeleteBatch(env.cutoff(), 10, {}).status().code() ==
          Status::Code::kPermissionDenied);
  }
  Immutable immutable(env.path);
  if (immutable.ok()) {  // needs root on a filesystem with attributes
    auto db = env.Open();
    if (db.ok()) {
      auto batch = (*db)->DeleteBatch(env.cutoff(), 10, {});
      INFO(batch.status().ToString());
      CHECK(batch.status().code() == Status::Code::kPermissionDenied);
    } else {
      CHECK(db.status().code() == Status::Code::kPermissionDenied);
    }
  }
}

TEST_CASE("numbers that are not times are skipped, counted, never old") {
  RowsEnv env(TimeFormat::kUnixSeconds);
  env.InsertAt(1, env.cutoff() - seconds(10));
  env.Insert(2, "NULL");
  env.Insert(3, "'yesterday'");
  env.Insert(4, "x'00'");
  env.Insert(5, "''");
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions[0].count == 1);
  REQUIRE(plan->warnings.size() == 1);
  CHECK(plan->warnings[0].find("4 rows of events") == 0);
  CHECK(env.Count() == 5);  // the plan deleted nothing
  KeepingContext ctx;
  policy.Execute(*plan, ctx);
  CHECK(env.Count() == 4);
  CHECK_FALSE(env.Has(1));
}

TEST_CASE("ISO-8601 values that do not parse are skipped, counted, never old") {
  RowsEnv env(TimeFormat::kIso8601);
  env.InsertAt(1, env.cutoff() - seconds(10));
  env.Insert(2, "NULL");
  env.Insert(3, "'2020-13-45 99:99'");  // sorts before the cutoff
  env.Insert(4, "''");
  env.Insert(5, "12345");  // a number, which sorts before any text
  env.Insert(6, "'1999/01/01'");
  RowsPolicy policy = env.Policy();
  auto plan = policy.MakePlan(env.clock.Now());
  REQUIRE(plan.ok());
  CHECK(plan->actions[0].count == 1);
  REQUIRE(plan->warnings.size() == 1);
  INFO(plan->warnings[0]);
  CHECK(plan->warnings[0].find("5 rows of events") == 0);
  KeepingContext ctx;
  policy.Execute(*plan, ctx);
  CHECK(env.Count() == 5);
  CHECK_FALSE(env.Has(1));
}

struct BuiltPolicy {
  FakeClock clock;
  FakeFilesystem fs{clock};
  Services services{clock, fs};
  KindRegistry registry = BuiltinRegistry();
  std::vector<ConfigError> errors;

  StatusOr<std::unique_ptr<Policy>> Build(const std::string& keys) {
    Config config;
    if (!LoadConfigFromString("r.conf", "[rows.events]\n" + keys, registry,
                              &config, &errors)) {
      return Status::InvalidArgument(errors.front().ToString());
    }
    return registry.Find("rows")->factory(*config.policies()[0], services);
  }
};

TEST_CASE("a rows policy is built from its keys after the database check") {
  RowsEnv env(TimeFormat::kUnixSeconds, /*index=*/false);
  BuiltPolicy b;
  const std::string keys = "database = sqlite:" + env.path +
                           "\ntable = events\ntime_column = ts\n"
                           "max_age = 1h\n";
  auto policy = b.Build(keys);
  REQUIRE_FALSE(policy.ok());
  CHECK(policy.status().message().find("CREATE INDEX events_ts") !=
        std::string::npos);
  policy = b.Build(keys + "allow_full_scan = yes\n");
  INFO(policy.status().ToString());
  REQUIRE(policy.ok());
  CHECK((*policy)->id() == "rows.events");
  CHECK((*policy)->every() == std::chrono::minutes(1));
  CHECK((*policy)->delete_brake().max_fraction == 0.25);
  policy = b.Build(keys + "allow_full_scan = yes\nmax_delete_fraction = 1\n");
  REQUIRE(policy.ok());
  CHECK((*policy)->delete_brake().max_fraction == 1.0);
}

TEST_CASE("rows configuration errors name the key") {
  BuiltPolicy b;
  auto policy = b.Build(
      "database = mysql://u:pw@db/app\ntable = events; DROP\n"
      "time_column = ts\nwhere = 1) OR (1\nmax_age = 1h\n");
  REQUIRE_FALSE(policy.ok());
  std::string all;
  for (const ConfigError& e : b.errors) all += e.ToString() + "\n";
  CHECK(all.find("r.conf:2: [rows.events] database: \"mysql://u:***@db/app\" "
                 "is not a database URL") != std::string::npos);
  CHECK(all.find("r.conf:3: [rows.events] table:") != std::string::npos);
  CHECK(all.find("r.conf:5: [rows.events] where: closes a parenthesis") !=
        std::string::npos);
}

TEST_CASE("schema.table and native time are for postgresql rows policies") {
  const std::string pg =
      "database = postgresql://app:pw@/app?host=/nonexistent\n"
      "time_column = ts\nmax_age = 1d\n";
  BuiltPolicy good;
  auto policy = good.Build(pg + "table = app.events\ntime_format = native\n");
  // Valid keys: the factory got to connect, and names the URI without its
  // password.
  CHECK(good.errors.empty());
  CHECK(policy.status().message().find(
            "cannot connect to postgresql://app:***@/app") !=
        std::string::npos);
  BuiltPolicy sqlite_time;
  CHECK_FALSE(
      sqlite_time.Build(pg + "table = e\ntime_format = julianday\n").ok());
  CHECK(sqlite_time.errors.front().ToString() ==
        "r.conf:6: [rows.events] time_format: julianday is for SQLite; a "
        "PostgreSQL time column is native (timestamptz, timestamp, date), "
        "unix or unix_ms");
  BuiltPolicy qualified;
  CHECK_FALSE(qualified
                  .Build("database = sqlite:/a.db\ntable = a.events\n"
                         "time_column = ts\nmax_age = 1d\n")
                  .ok());
  CHECK(qualified.errors.front().ToString() ==
        "r.conf:3: [rows.events] table: \"a.events\" is not a plain SQL name "
        "(letters, digits, _; not starting with a digit)");
  BuiltPolicy native;
  CHECK_FALSE(native
                  .Build("database = sqlite:/a.db\ntable = e\ntime_column = "
                         "ts\nmax_age = 1d\ntime_format = native\n")
                  .ok());
  CHECK(native.errors.front().ToString() ==
        "r.conf:6: [rows.events] time_format: native is for PostgreSQL time "
        "columns; an SQLite column is unix, unix_ms, iso8601 or julianday");
}

}  // namespace
}  // namespace retention::rows_bad_input_test

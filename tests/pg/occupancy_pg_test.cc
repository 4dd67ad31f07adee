// The [occupancy] kind's PostgreSQL store on a private cluster: quotas read
// from a schema-qualified table, usage published into a table it creates
// (and upserted on the next scan), or into the application's own table
// with an integer measured_at; user ids that need quoting in an array
// literal; and the start check naming an unreachable server, a wrong
// password, a missing table or column, a quota column that is not a
// number, a table without a unique user_id, and a missing privilege.
#include <catch2/catch.hpp>

#include "kinds/occupancy/occupancy_database.h"
#include "pg_cluster.h"

namespace retention::occupancy_pg_test {
namespace {

const WallTime kFinished = FromUnixSeconds(1795455270);  // 2026-11-23T17:34:30Z

OccupancyTarget Target(const std::string& uri, const std::string& table,
                       const std::string& column = "") {
  OccupancyTarget t;
  t.pg_uri = uri;
  t.table = table;
  t.column = column;
  return t;
}

OccupancyScanRecord Scan(std::vector<OccupancyRow> users) {
  OccupancyScanRecord r;
  r.finished = kFinished;
  r.users = std::move(users);
  return r;
}

std::string Published(PgCluster& pg, const std::string& table) {
  return pg.Value(
      "SELECT string_agg(user_id || ':' || allocated_bytes || ':' || "
      "apparent_bytes || ':' || files, ' ' ORDER BY user_id) FROM " +
      table);
}

TEST_CASE("occupancy on PostgreSQL reads quotas and publishes usage") {
  PgCluster pg;
  pg.Sql("CREATE SCHEMA app; CREATE TABLE app.users (id bigint PRIMARY KEY, "
         "quota_bytes bigint); INSERT INTO app.users VALUES (1, 50), "
         "(2, 9000), (3, NULL), (4, -1)");
  const OccupancyTarget from = Target(pg.Uri(), "app.users", "quota_bytes");
  REQUIRE(CheckQuotaSource(from, "id").ok());
  auto quotas = ReadQuotas(from, "id");
  REQUIRE(quotas.ok());
  CHECK(*quotas == std::map<std::string, uint64_t>{{"1", 50}, {"2", 9000}});

  const OccupancyTarget to = Target(pg.Uri(), "app.storage_usage");
  Status checked = CheckPublishTarget(to);
  INFO(checked.ToString());
  REQUIRE(checked.ok());  // missing, and the role may create it
  // Ids that need quoting in an array literal go through unchanged.
  REQUIRE(PublishOccupancy(to, Scan({{"1", 100, 90, 3},
                                     {"we\"ird", 5, 4, 1},
                                     {"back\\slash", 6, 5, 1},
                                     {"a,b{c}", 7, 6, 2}}))
              .ok());
  CHECK(Published(pg, "app.storage_usage") ==
        "1:100:90:3 a,b{c}:7:6:2 back\\slash:6:5:1 we\"ird:5:4:1");
  CHECK(pg.Value("SELECT extract(epoch FROM max(measured_at))::bigint FROM "
                 "app.storage_usage") == "1795455270");
  CHECK(pg.Value("SELECT format_type(atttypid, NULL) FROM pg_attribute "
                 "WHERE attrelid = 'app.storage_usage'::regclass AND "
                 "attname = 'measured_at'") == "timestamp with time zone");
  CHECK(CheckPublishTarget(to).ok());  // exists now

  // The next scan upserts: changed figures replace the old ones.
  REQUIRE(PublishOccupancy(to, Scan({{"1", 200, 190, 4}})).ok());
  CHECK(pg.Value("SELECT allocated_bytes || ':' || files FROM "
                 "app.storage_usage WHERE user_id = '1'") == "200:4");
  CHECK(pg.Value("SELECT count(*) FROM app.storage_usage") == "4");
}

TEST_CASE("occupancy publishes into the application's table with integer "
          "measured_at, in chunks") {
  PgCluster pg;
  pg.Sql("CREATE TABLE usage (user_id text UNIQUE, allocated_bytes bigint, "
         "apparent_bytes bigint, files bigint, measured_at bigint)");
  const OccupancyTarget to = Target(pg.Uri(), "usage");
  REQUIRE(CheckPublishTarget(to).ok());
  std::vector<OccupancyRow> users;
  for (int i = 0; i < 12001; ++i) {
    users.push_back({"u" + std::to_string(i), uint64_t(i), uint64_t(i), 1});
  }
  Status st = PublishOccupancy(to, Scan(users));
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(pg.Value("SELECT count(*) || ':' || sum(allocated_bytes) || ':' || "
                 "min(measured_at) FROM usage") ==
        "12001:72006000:1795455270");
}

TEST_CASE("occupancy's PostgreSQL check names what is wrong") {
  PgCluster pg;
  pg.Sql("CREATE TABLE users (id bigint, quota_bytes bigint, plan text); "
         "CREATE TABLE usage (user_id text, allocated_bytes bigint, "
         "apparent_bytes bigint, files bigint, measured_at timestamptz); "
         "CREATE TABLE usage2 (user_id text PRIMARY KEY, allocated_bytes "
         "bigint, apparent_bytes bigint, files bigint, measured_at text)");
  auto quota_error = [&](const std::string& uri, const std::string& table,
                         const std::string& column, const std::string& id) {
    return CheckQuotaSource(Target(uri, table, column), id).ToString();
  };
  auto publish_error = [&](const std::string& uri, const std::string& table) {
    return CheckPublishTarget(Target(uri, table)).ToString();
  };
  const std::string uri = pg.Uri();
  const std::string nowhere =
      "postgresql://postgres:" + std::string(PgCluster::kPassword) +
      "@/postgres?host=" + pg.dir() + "/nowhere";
  const std::string unreachable =
      quota_error(nowhere, "users", "quota_bytes", "id");
  CHECK_THAT(unreachable, Catch::Contains("cannot connect to"));
  CHECK_THAT(unreachable, !Catch::Contains(PgCluster::kPassword));
  CHECK_THAT(publish_error(pg.Uri("wrong"), "usage"),
             Catch::StartsWith("PermissionDenied"));
  // Each wrong target with what its error must say.
  const std::pair<std::string, const char*> wrong[] = {
      {quota_error(uri, "nosuch", "quota_bytes", "id"), "no table nosuch in"},
      {quota_error(uri, "users", "quota", "id"),
       "no column quota in table users"},
      {quota_error(uri, "users", "quota_bytes", "uid"),
       "no column uid in table users"},
      {quota_error(uri, "users", "plan", "id"),
       "column plan of users is text; a quota is a number of bytes"},
      {publish_error(uri, "usage"), "has no unique index on user_id"},
      {publish_error(uri, "usage2"), "column measured_at of usage2 is text"},
      {publish_error(uri, "nosuch.usage"), "nosuch"},
  };
  for (const auto& [error, says] : wrong) {
    CHECK_THAT(error, Catch::Contains(says));
  }

  // A role that may read neither, nor create a table.
  pg.Sql("CREATE ROLE app LOGIN PASSWORD 'app-pw'; "
         "REVOKE CREATE ON SCHEMA public FROM PUBLIC; "
         "ALTER TABLE usage ADD PRIMARY KEY (user_id)");
  const std::string app = "postgresql://app:app-pw@/postgres?host=" + pg.dir();
  const std::pair<std::string, const char*> denied[] = {
      {quota_error(app, "users", "quota_bytes", "id"),
       "may not SELECT column id of users"},
      {publish_error(app, "usage"), "may not INSERT usage"},
      {publish_error(app, "usage3"), "may not create it in schema public"},
  };
  for (const auto& [error, says] : denied) {
    CHECK_THAT(error, Catch::Contains(says));
  }
  pg.Sql("GRANT SELECT (id, quota_bytes) ON users TO app; "
         "GRANT SELECT, INSERT, UPDATE ON usage TO app");
  CHECK(CheckQuotaSource(Target(app, "users", "quota_bytes"), "id").ok());
  CHECK(CheckPublishTarget(Target(app, "usage")).ok());
}

}  // namespace
}  // namespace retention::occupancy_pg_test

// StateDb's standing alerts (schema 9, state_db_alerts.cc): one policy's
// set replaced at once, each alert keeping when it was first seen.
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "core/state_db.h"
#include "db_test_util.h"

namespace retention::state_db_alerts_test {
namespace {

using std::chrono::hours;

TEST_CASE("a policy's alerts are replaced as a set; each keeps its since") {
  TempDir dir;
  const std::string path = dir.File("state.db");
  std::unique_ptr<StateDb> db = OpenStateDb(path);
  const WallTime t0 = FromUnixSeconds(1767225600);
  auto stored = db->SetAlerts("logs.a", {{"budget", "over by 1 MiB"}}, t0);
  REQUIRE(stored.ok());
  REQUIRE(stored->size() == 1);
  CHECK((*stored)[0].since == t0);
  REQUIRE(db->SetAlerts("logs.b", {{"budget", "b's"}}, t0).ok());

  // An hour on: the budget's text changed (kept since), a new one came.
  stored = db->SetAlerts("logs.a",
                         {{"budget", "over by 2 MiB"},
                          {"writer_without_o_append", "/l/a.log: punched"}},
                         t0 + hours(1));
  REQUIRE(stored.ok());
  REQUIRE(stored->size() == 2);
  CHECK((*stored)[0].name == "budget");
  CHECK((*stored)[0].text == "over by 2 MiB");
  CHECK((*stored)[0].since == t0);
  CHECK((*stored)[1].since == t0 + hours(1));

  // Reopened (a restart): all there. Then the budget clears.
  db.reset();
  db = OpenStateDb(path);
  auto all = db->Alerts();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK(all->at("logs.a").size() == 2);
  CHECK(all->at("logs.b")[0].text == "b's");
  stored = db->SetAlerts("logs.a",
                         {{"writer_without_o_append", "/l/a.log: punched"}},
                         t0 + hours(2));
  REQUIRE(stored.ok());
  REQUIRE(stored->size() == 1);
  CHECK((*stored)[0].since == t0 + hours(1));
  REQUIRE(db->SetAlerts("logs.b", {}, t0 + hours(2)).ok());
  all = db->Alerts();
  REQUIRE(all.ok());
  CHECK(all->size() == 1);
  CHECK(all->count("logs.b") == 0);
}

TEST_CASE("a schema 8 state db gains the alerts table") {
  TempDir dir;
  const std::string path = dir.File("state.db");
  OpenStateDb(path);
  RawSql(path, "DROP TABLE alerts");
  RawSql(path, "UPDATE schema_version SET version = 8");
  std::unique_ptr<StateDb> db = OpenStateDb(path);
  CHECK(db->schema_version() == StateDb::kSchemaVersion);
  auto all = db->Alerts();
  REQUIRE(all.ok());
  CHECK(all->empty());
  CHECK(db->SetAlerts("logs.a", {{"budget", "x"}}, WallTime{}).ok());
}

}  // namespace
}  // namespace retention::state_db_alerts_test

// The newest audit kept in state.db for the metrics (core/audit_store.h),
// and the ledger's newest entry of an action and target (for receipts).
#include "core/audit_store.h"

#include <catch2/catch.hpp>

#include "core/ledger.h"
#include "db_test_util.h"

namespace retention::audit_store_test {
namespace {

std::unique_ptr<StateDb> Open(const TempDir& dir) {
  auto db = StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  return std::move(*db);
}

TEST_CASE("the newest audit is kept in the state database and replaced") {
  TempDir dir;
  auto db = Open(dir);
  auto none = LoadAudit(*db);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  AuditFinding kept{.policy = "files.a", .kind = "files"};
  AuditFinding broken{.policy = "rows.t", .kind = "rows"};
  broken.overdue = 2;
  broken.extra = {"account 7: its data directory is back"};
  AuditFinding unchecked{.policy = "rows.pg", .kind = "rows", .error = "x"};
  const WallTime t1 = FromUnixSeconds(1767225600);
  REQUIRE(SaveAudit(*db, t1, {kept, broken, unchecked}).ok());
  auto one = LoadAudit(*db);
  REQUIRE(one.ok());
  REQUIRE(one->has_value());
  CHECK((*one)->time == t1);
  REQUIRE((*one)->policies.size() == 3);
  CHECK((*one)->policies[0].ok);
  CHECK((*one)->policies[1].policy == "rows.t");
  CHECK_FALSE((*one)->policies[1].ok);
  CHECK((*one)->policies[1].overdue == 3);
  CHECK_FALSE((*one)->policies[2].checked);
  REQUIRE(SaveAudit(*db, t1 + std::chrono::hours(24), {kept}).ok());
  auto two = LoadAudit(*db);
  REQUIRE(two.ok());
  CHECK((*two)->policies.size() == 1);
}

TEST_CASE("the ledger finds the newest entry of an action and a target") {
  TempDir dir;
  auto db = Open(dir);
  Ledger ledger(*db);
  for (const char* target : {"account 1", "account 2", "account 1"}) {
    REQUIRE(ledger.Append(EventEntry(FromUnixSeconds(1), "accounts", "purge",
                                     target, "d"))
                .ok());
  }
  auto one = ledger.LastOf("purge", std::string("account 1"));
  REQUIRE(one.ok());
  REQUIRE(one->has_value());
  CHECK((*one)->seq == 3);
  auto two = ledger.LastOf("purge", std::string("account 2"));
  REQUIRE((two.ok() && two->has_value()));
  CHECK((*two)->seq == 2);
  auto none = ledger.LastOf("purge", std::string("account 9"));
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  auto any = ledger.LastOf("purge", std::nullopt);
  REQUIRE((any.ok() && any->has_value()));
  CHECK((*any)->seq == 3);
}

}  // namespace
}  // namespace retention::audit_store_test

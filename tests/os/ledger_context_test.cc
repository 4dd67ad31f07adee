// LedgerContext's group commits (ledger_context.h): a group's intent is
// committed on its own, the last group's outcomes behind it on a thread of
// their own, and every later commit waits for those.
#include "core/ledger_context.h"

#include <catch2/catch.hpp>

#include "intent_fixture.h"

namespace retention::ledger_context_test {
namespace {

TEST_CASE("the next group's intent is durable at once and the last group's "
          "outcomes by the next commit", "[intent]") {
  StateFixture f;
  const Action a = Delete("/r/a", 1), b = Delete("/r/b", 2),
               c = Delete("/r/c", 3), d = Delete("/r/d", 4);
  LedgerContext ctx(f.clock, *f.ledger, f.no_stop);
  std::vector<int64_t> first, second;
  REQUIRE(ctx.Intend("files.x", {&a, &b}, &first).ok());
  REQUIRE(ctx.Done(first[0], "files.x", a).ok());
  REQUIRE(ctx.Done(first[1], "files.x", b).ok());
  REQUIRE(ctx.Intend("files.x", {&c, &d}, &second).ok());
  // c and d are covered before either is touched.
  auto open = OpenIntents(*f.db, "files.x");
  REQUIRE(open.ok());
  REQUIRE_FALSE(open->empty());
  CHECK(open->back().items.size() == 2);
  CHECK(open->back().items[0].target == "/r/c");
  REQUIRE(ctx.Done(second[0], "files.x", c).ok());
  REQUIRE(ctx.Flush().ok());
  // Flush waited for a and b, and committed c.
  std::vector<LedgerEntry> entries = f.Entries();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].target == "/r/a");
  CHECK(entries[1].target == "/r/b");
  CHECK(entries[2].target == "/r/c");
  CHECK(f.Open() == 1);  // d
  REQUIRE(ctx.Drop(second[1]).ok());
  REQUIRE(ctx.Flush().ok());
  CHECK(f.Open() == 0);
}

TEST_CASE("a lost outcomes commit leaves both groups to recovery and stops "
          "the run", "[intent]") {
  StateFixture f;
  const Action a = Delete("/r/a", 1), b = Delete("/r/b", 2),
               c = Delete("/r/c", 3);
  LedgerContext ctx(f.clock, *f.ledger, f.no_stop);
  std::vector<int64_t> first, second;
  REQUIRE(ctx.Intend("files.x", {&a, &b}, &first).ok());
  REQUIRE(ctx.Done(first[0], "files.x", a).ok());
  REQUIRE(ctx.Done(first[1], "files.x", b).ok());
  // The outcomes of a and b cannot be committed (the ledger is gone for a
  // moment); the next group's intent still can, and is.
  f.Exec("ALTER TABLE ledger RENAME TO ledger_away");
  REQUIRE(ctx.Intend("files.x", {&b, &c}, &second).ok());
  CHECK_FALSE(ctx.Flush().ok());
  f.Exec("ALTER TABLE ledger_away RENAME TO ledger");
  CHECK(ctx.Done(second[0], "files.x", b).code() ==
        Status::Code::kFailedPrecondition);
  REQUIRE(ctx.Flush().ok());
  CHECK(f.Entries().empty());
  auto open = OpenIntents(*f.db, "files.x");
  REQUIRE(open.ok());
  REQUIRE(open->size() == 2);
  CHECK(open->at(0).recorded == 0);
  CHECK(open->at(1).recorded == 0);
  CHECK(f.Open() == 4);
}

}  // namespace
}  // namespace retention::ledger_context_test

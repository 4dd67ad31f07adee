// Write-ahead intents (intent_log.h, ledger_context.h, intent_recovery.h):
// a removal's intent is durable before the removal, its ledger entry
// closes it, and intents a run left open are resolved into exact entries
// at the next run.
#include "core/intent_log.h"

#include <catch2/catch.hpp>
#include <numeric>
#include <set>

#include "core/intent_recovery.h"
#include "core/ledger_context.h"
#include "core/state_db.h"
#include "fake_fs_daemon.h"
#include "fakes/fake_clock.h"
#include "intent_fixture.h"
#include "sql/sqlite_connection.h"
#include "temp_dir.h"

namespace retention::intent_log_test {
namespace {

constexpr Duration kDay = std::chrono::hours(24);

TEST_CASE("intents are durable before removal and closed by their entries",
          "[intent]") {
  StateFixture f;
  const Action a = Delete("/r/a", 1), b = Delete("/r/b", 2),
               c = Delete("/r/c", 3);
  LedgerContext ctx(f.clock, *f.ledger, f.no_stop);
  std::vector<int64_t> ids;
  REQUIRE(ctx.Intend("files.x", {&a, &b, &c}, &ids).ok());
  REQUIRE(ids.size() == 3);
  CHECK(f.Open() == 3);
  REQUIRE(ctx.Done(ids[0], "files.x", a).ok());
  REQUIRE(ctx.Drop(ids[1]).ok());
  // Queued, not yet committed: a crash now leaves all three open.
  CHECK(f.Open() == 3);
  CHECK(f.Entries().empty());
  REQUIRE(ctx.Flush().ok());
  CHECK(f.Open() == 1);
  REQUIRE(f.Entries().size() == 1);
  CHECK(f.Entries()[0].target == "/r/a");
  auto check = f.ledger->Verify();
  REQUIRE(check.ok());
  CHECK(check->ok);
}

TEST_CASE("outcomes are committed in groups, each group in one transaction",
          "[intent]") {
  StateFixture f;
  std::vector<Action> actions;
  for (size_t i = 0; i < LedgerContext::kGroupMax + 10; ++i) {
    actions.push_back(Delete("/r/f" + std::to_string(i), i + 1));
  }
  std::vector<const Action*> ptrs;
  for (const Action& a : actions) ptrs.push_back(&a);
  LedgerContext ctx(f.clock, *f.ledger, f.no_stop);
  std::vector<int64_t> ids;
  REQUIRE(ctx.Intend("files.x", ptrs, &ids).ok());
  for (size_t i = 0; i < LedgerContext::kGroupMax - 1; ++i) {
    REQUIRE(ctx.Done(ids[i], "files.x", actions[i]).ok());
  }
  CHECK(f.Entries().empty());  // still queued
  REQUIRE(ctx.Done(ids[LedgerContext::kGroupMax - 1], "files.x",
                   actions[LedgerContext::kGroupMax - 1])
              .ok());
  CHECK(f.Entries().size() == LedgerContext::kGroupMax);  // a full group
  // ... and one older than kGroupDelay goes at the next outcome.
  const size_t next = LedgerContext::kGroupMax;
  REQUIRE(ctx.Done(ids[next], "files.x", actions[next]).ok());
  f.clock.Advance(LedgerContext::kGroupDelay);
  REQUIRE(ctx.Done(ids[next + 1], "files.x", actions[next + 1]).ok());
  CHECK(f.Entries().size() == LedgerContext::kGroupMax + 2);
}

TEST_CASE("a removal cut short is recorded at the next run, exactly once",
          "[intent]") {
  FakeFsDaemon d;
  const std::string root = d.tmp.path() + "/data";
  d.fs.AddDir(root);
  for (int i = 0; i < 10; ++i) {
    d.fs.AddFile(root + "/f" + std::to_string(i), 100,
                 d.clock.Now() - 40 * kDay);
  }
  d.WriteConfig("[files.x]\nroot = " + root +
                "\nmax_age = 30d\nmax_delete_fraction = 1\n");
  d.Start();
  // A run that wrote its intents for five files, removed three, and died
  // before their outcomes were committed.
  {
    LedgerContext ctx(d.clock, d.daemon->ledger(), d.stop);
    std::vector<Action> actions;
    auto dir = d.fs.OpenRoot(root);
    REQUIRE(dir.ok());
    for (int i = 0; i < 5; ++i) {
      auto info = d.fs.StatAt(**dir, "f" + std::to_string(i));
      REQUIRE(info.ok());
      Action a = Delete(root + "/f" + std::to_string(i), info->ino);
      a.expected = *info;
      actions.push_back(a);
    }
    std::vector<const Action*> ptrs;
    for (const Action& a : actions) ptrs.push_back(&a);
    std::vector<int64_t> ids;
    REQUIRE(ctx.Intend("files.x", ptrs, &ids).ok());
    for (int i = 0; i < 3; ++i) {
      REQUIRE(d.fs.RemoveAt(**dir, "f" + std::to_string(i), actions[i].expected)
                  .ok());
    }
  }
  REQUIRE(d.Entries("delete").empty());
  RunReport r = d.Run("files.x");
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  std::vector<LedgerEntry> deletes = d.Entries("delete");
  REQUIRE(deletes.size() == 10);
  int recovered = 0;
  for (const LedgerEntry& e : deletes) {
    if (e.detail.find("recorded at recovery") != std::string::npos) {
      ++recovered;
      CHECK(e.detail.find("found gone") != std::string::npos);
    }
  }
  CHECK(recovered == 3);
  auto open = OpenIntents(d.daemon->state(), "");
  REQUIRE(open.ok());
  CHECK(open->empty());
}

TEST_CASE("a group's actions are one intent row listing each, settled in "
          "order", "[intent]") {
  StateFixture f;
  // Any byte a path may hold survives the row's list.
  const Action a = Delete("/r/a b:1\n2", 1), b = Delete("/r/\x01", 2),
               c = Delete("/r/c", 3);
  LedgerContext ctx(f.clock, *f.ledger, f.no_stop);
  std::vector<int64_t> ids;
  REQUIRE(ctx.Intend("files.x", {&a, &b, &c}, &ids).ok());
  auto open = OpenIntents(*f.db, "files.x");
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  const Intent& group = open->front();
  REQUIRE(group.items.size() == 3);
  CHECK(group.count == 3);
  CHECK(group.recorded == 0);
  CHECK(group.bytes == 30);
  CHECK(group.items[0].target == "/r/a b:1\n2");
  CHECK(group.items[1].target == "/r/\x01");
  CHECK(group.items[2].ino == 3);
  CHECK(group.items[2].dev == 1);
  CHECK(group.items[2].reason == "older than 30d");
  CHECK(group.items[2].verb == Verb::kDelete);
  CHECK(group.items[2].id == group.id);
  CHECK(group.items[2].policy == "files.x");

  CHECK(ctx.Done(ids[1], "files.x", b).code() ==
        Status::Code::kFailedPrecondition);  // not before the first
  REQUIRE(ctx.Done(ids[0], "files.x", a).ok());
  REQUIRE(ctx.Drop(ids[1]).ok());
  REQUIRE(ctx.Flush().ok());
  open = OpenIntents(*f.db, "files.x");
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK(open->front().recorded == 2);
  CHECK(f.Open() == 1);
  REQUIRE(ctx.Done(ids[2], "files.x", c).ok());
  REQUIRE(ctx.Flush().ok());
  CHECK(f.Open() == 0);
  REQUIRE(f.Entries().size() == 2);
  CHECK(f.Entries()[1].target == "/r/c");
}

TEST_CASE("once outcomes of a group were lost, no later one is counted",
          "[intent]") {
  StateFixture f;
  const Action a = Delete("/r/a", 1), b = Delete("/r/b", 2);
  LedgerContext ctx(f.clock, *f.ledger, f.no_stop);
  std::vector<int64_t> ids;
  REQUIRE(ctx.Intend("files.x", {&a, &b}, &ids).ok());
  REQUIRE(ctx.Done(ids[0], "files.x", a).ok());
  // The commit of a's outcome fails (its ledger is gone for a moment).
  f.Exec("ALTER TABLE ledger RENAME TO ledger_away");
  CHECK_FALSE(ctx.Flush().ok());
  f.Exec("ALTER TABLE ledger_away RENAME TO ledger");
  // Counted now, b would pass for a: recovery must resolve both instead.
  CHECK(ctx.Done(ids[1], "files.x", b).code() ==
        Status::Code::kFailedPrecondition);
  REQUIRE(ctx.Flush().ok());
  auto open = OpenIntents(*f.db, "files.x");
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK(open->front().recorded == 0);
}

TEST_CASE("a damaged list of a group's actions is an error, not an empty group",
          "[intent]") {
  StateFixture f;
  const Action a = Delete("/r/a", 1), b = Delete("/r/b", 2);
  LedgerContext ctx(f.clock, *f.ledger, f.no_stop);
  std::vector<int64_t> ids;
  REQUIRE(ctx.Intend("files.x", {&a, &b}, &ids).ok());
  for (const char* damaged : {"1 2 3 4 6:delete 4:/r/a", "1 2 3 4 9:delete",
                              "x", "1 2 3 4 6:delete 4:/r/a 3:old\nrest"}) {
    INFO(damaged);
    REQUIRE(f.db->WithConnection([&](SqliteConnection& db) {
                  auto st = db.Prepare("UPDATE intents SET items = ?");
                  if (!st.ok()) return st.status();
                  return st->Bind(1, std::string(damaged)).Run();
                })
                .ok());
    CHECK(OpenIntents(*f.db, "").status().code() ==
          Status::Code::kCorruption);
  }
}

TEST_CASE("a group cut short after some outcomes were committed is recovered "
          "from the first unsettled action, exactly once", "[intent]") {
  FakeFsDaemon d;
  const std::string root = d.tmp.path() + "/data";
  d.fs.AddDir(root);
  for (int i = 0; i < 6; ++i) {
    d.fs.AddFile(root + "/f" + std::to_string(i), 100,
                 d.clock.Now() - 40 * kDay);
  }
  d.WriteConfig("[files.x]\nroot = " + root +
                "\nmax_age = 30d\nmax_delete_fraction = 1\n");
  d.Start();
  // Five intended; f0 and f1 removed and recorded; f2 and f3 removed, their
  // outcomes lost with the process.
  {
    LedgerContext ctx(d.clock, d.daemon->ledger(), d.stop);
    auto dir = d.fs.OpenRoot(root);
    REQUIRE(dir.ok());
    std::vector<Action> actions;
    for (int i = 0; i < 5; ++i) {
      Action a = Delete(root + "/f" + std::to_string(i), 0);
      a.expected = *d.fs.StatAt(**dir, "f" + std::to_string(i));
      actions.push_back(a);
    }
    std::vector<const Action*> ptrs;
    for (const Action& a : actions) ptrs.push_back(&a);
    std::vector<int64_t> ids;
    REQUIRE(ctx.Intend("files.x", ptrs, &ids).ok());
    for (int i = 0; i < 4; ++i) {
      REQUIRE(d.fs.RemoveAt(**dir, "f" + std::to_string(i),
                            actions[i].expected)
                  .ok());
      if (i < 2) REQUIRE(ctx.Done(ids[i], "files.x", actions[i]).ok());
    }
    REQUIRE(ctx.Flush().ok());
  }
  CHECK(d.Entries("delete").size() == 2);
  RunReport r = d.Run("files.x");
  INFO(r.error);
  CHECK(r.outcome == Outcome::kOk);
  std::vector<LedgerEntry> deletes = d.Entries("delete");
  REQUIRE(deletes.size() == 6);  // f0..f5, each once
  std::set<std::string> targets;
  int recovered = 0;
  for (const LedgerEntry& e : deletes) {
    targets.insert(e.target);
    if (e.detail.find("recorded at recovery") != std::string::npos) {
      ++recovered;
      CHECK((e.target == root + "/f2" || e.target == root + "/f3"));
    }
  }
  CHECK(targets.size() == 6);
  CHECK(recovered == 2);
  auto open = OpenIntents(d.daemon->state(), "");
  REQUIRE(open.ok());
  CHECK(open->empty());
}

TEST_CASE("a group's action that cannot be resolved keeps it and the rest "
          "open", "[intent]") {
  FakeFsDaemon d;
  const std::string root = d.tmp.path() + "/data";
  d.fs.AddDir(root);
  d.fs.AddFile(root + "/old", 100, d.clock.Now() - 40 * kDay);
  d.WriteConfig("[files.x]\nroot = " + root +
                "\nmax_age = 30d\nmax_delete_fraction = 1\n");
  d.Start();
  {
    LedgerContext ctx(d.clock, d.daemon->ledger(), d.stop);
    Action gone = Delete(root + "/gone", 98);
    Action bad = Delete("relative/path", 99);  // cannot be looked at
    Action after = Delete(root + "/also-gone", 97);
    std::vector<int64_t> ids;
    REQUIRE(ctx.Intend("files.x", {&gone, &bad, &after}, &ids).ok());
  }
  RunReport r = d.Run("files.x");
  CHECK(r.outcome == Outcome::kError);
  CHECK(r.error.find("cannot be resolved") != std::string::npos);
  CHECK(d.fs.Exists(root + "/old"));
  // The first was settled (found gone), the others wait.
  CHECK(d.Entries("delete").size() == 1);
  auto open = OpenIntents(d.daemon->state(), "files.x");
  REQUIRE(open.ok());
  REQUIRE(open->size() == 1);
  CHECK(open->front().recorded == 1);
}

TEST_CASE("a dry run leaves open intents alone", "[intent]") {
  FakeFsDaemon d;
  const std::string root = d.tmp.path() + "/data";
  d.fs.AddDir(root);
  d.fs.AddFile(root + "/old", 100, d.clock.Now() - 40 * kDay);
  d.WriteConfig("[files.x]\nroot = " + root + "\nmax_age = 30d\n");
  d.Start();
  {
    LedgerContext ctx(d.clock, d.daemon->ledger(), d.stop);
    Action a = Delete(root + "/gone", 99);
    std::vector<int64_t> ids;
    REQUIRE(ctx.Intend("files.x", {&a}, &ids).ok());
  }
  RunReport r = d.Run("files.x", /*dry_run=*/true);
  CHECK(r.outcome == Outcome::kDryRun);
  CHECK(d.fs.Exists(root + "/old"));
  CHECK(d.Entries("delete").empty());
  auto open = OpenIntents(d.daemon->state(), "files.x");
  REQUIRE(open.ok());
  CHECK(open->size() == 1);
}

TEST_CASE("an intent that cannot be resolved keeps the policy from deleting",
          "[intent]") {
  FakeFsDaemon d;
  const std::string root = d.tmp.path() + "/data";
  d.fs.AddDir(root);
  d.fs.AddFile(root + "/old", 100, d.clock.Now() - 40 * kDay);
  d.WriteConfig("[files.x]\nroot = " + root +
                "\nmax_age = 30d\nmax_delete_fraction = 1\n");
  d.Start();
  {
    LedgerContext ctx(d.clock, d.daemon->ledger(), d.stop);
    Action a = Delete("relative/path", 99);  // cannot be looked at
    std::vector<int64_t> ids;
    REQUIRE(ctx.Intend("files.x", {&a}, &ids).ok());
  }
  RunReport r = d.Run("files.x");
  CHECK(r.outcome == Outcome::kError);
  CHECK(r.error.find("cannot be resolved") != std::string::npos);
  CHECK(d.fs.Exists(root + "/old"));
}

}  // namespace
}  // namespace retention::intent_log_test

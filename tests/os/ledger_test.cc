#include "core/ledger.h"

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/state_db.h"
#include "db_test_util.h"
#include "sql/sqlite_connection.h"

namespace retention::ledger_test {
namespace {

const std::string kZeros(64, '0');

LedgerEntry MakeEntry(int i) {
  LedgerEntry e;
  e.time = FromUnixSeconds(1767225600 + i);
  e.policy = "files.backups";
  e.action = "delete";
  e.target = "/var/backups/app/db-" + std::to_string(i) + ".tar.zst";
  e.count = 1;
  e.bytes = 1000 + i;
  e.detail = "older than 90d";
  return e;
}

// A state db in a fresh temp dir with a ledger of `n` entries.
struct LedgerFixture {
  explicit LedgerFixture(int n) {
    StatusOr<std::unique_ptr<StateDb>> opened = StateDb::Open(path());
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    db = std::move(*opened);
    ledger = std::make_unique<Ledger>(*db);
    for (int i = 1; i <= n; ++i) {
      StatusOr<LedgerEntry> e = ledger->Append(MakeEntry(i));
      INFO(e.status().ToString());
      REQUIRE(e.ok());
    }
  }
  std::string path() const { return dir.File("state.db"); }
  LedgerCheck Verify() {
    StatusOr<LedgerCheck> check = ledger->Verify();
    INFO(check.status().ToString());
    REQUIRE(check.ok());
    return *check;
  }
  std::vector<LedgerEntry> ReadAll() {
    StatusOr<std::vector<LedgerEntry>> all = ledger->Read(0, 1000000);
    REQUIRE(all.ok());
    return *all;
  }

  TempDir dir;
  std::unique_ptr<StateDb> db;
  std::unique_ptr<Ledger> ledger;
};

void RequireBadAt(const LedgerCheck& check, int64_t seq) {
  INFO(check.problem);
  CHECK_FALSE(check.ok);
  CHECK(check.first_bad_seq == seq);
  CHECK_FALSE(check.problem.empty());
}

TEST_CASE("appended ledger entries are numbered from 1 and chained") {
  LedgerFixture f(0);
  StatusOr<LedgerEntry> first = f.ledger->Append(MakeEntry(1));
  REQUIRE(first.ok());
  CHECK(first->seq == 1);
  CHECK(first->prev_hash == kZeros);
  CHECK(first->hash == HashLedgerEntry(*first));
  CHECK(first->hash.size() == 64);
  StatusOr<LedgerEntry> second = f.ledger->Append(MakeEntry(2));
  REQUIRE(second.ok());
  CHECK(second->seq == 2);
  CHECK(second->prev_hash == first->hash);

  std::vector<LedgerEntry> all = f.ReadAll();
  REQUIRE(all.size() == 2);
  CHECK(all[0].target == MakeEntry(1).target);
  CHECK(all[0].time == MakeEntry(1).time);
  CHECK(all[1].hash == second->hash);
  CHECK(all[1].bytes == 1002);
}

TEST_CASE("reading the ledger pages by seq") {
  LedgerFixture f(5);
  StatusOr<std::vector<LedgerEntry>> page = f.ledger->Read(2, 2);
  REQUIRE(page.ok());
  REQUIRE(page->size() == 2);
  CHECK((*page)[0].seq == 3);
  CHECK((*page)[1].seq == 4);
  page = f.ledger->Read(5, 10);
  REQUIRE(page.ok());
  CHECK(page->empty());
}

TEST_CASE("an empty ledger verifies") {
  LedgerFixture f(0);
  LedgerCheck check = f.Verify();
  CHECK(check.ok);
  CHECK(check.entries == 0);
  CHECK(check.head_hash == kZeros);
}

TEST_CASE("an intact ledger verifies and reports its head") {
  LedgerFixture f(5);
  LedgerCheck check = f.Verify();
  INFO(check.problem);
  CHECK(check.ok);
  CHECK(check.entries == 5);
  CHECK(check.first_bad_seq == 0);
  CHECK(check.head_hash == f.ReadAll().back().hash);
}

TEST_CASE("the ledger survives reopening the state db") {
  LedgerFixture f(3);
  f.ledger.reset();
  f.db.reset();
  StatusOr<std::unique_ptr<StateDb>> db = StateDb::Open(f.path());
  REQUIRE(db.ok());
  Ledger ledger(**db);
  StatusOr<LedgerEntry> e = ledger.Append(MakeEntry(4));
  REQUIRE(e.ok());
  CHECK(e->seq == 4);
  StatusOr<LedgerCheck> check = ledger.Verify();
  REQUIRE(check.ok());
  CHECK(check->ok);
  CHECK(check->entries == 4);
}

TEST_CASE("editing any field of a middle ledger entry is detected there") {
  std::string update = GENERATE(
      as<std::string>{}, "time_ns = time_ns + 1", "policy = 'rows.analytics'",
      "action = 'rotate'", "target = '/etc/passwd'", "count = 2",
      "bytes = bytes + 1", "detail = 'older than 1d'",
      "prev_hash = '" + std::string(64, 'a') + "'",
      "hash = '" + std::string(64, 'b') + "'");
  LedgerFixture f(5);
  RawSql(f.path(), "UPDATE ledger SET " + update + " WHERE seq = 3");
  INFO(update);
  RequireBadAt(f.Verify(), 3);
}

TEST_CASE("deleting a middle ledger entry is detected at the next one") {
  LedgerFixture f(5);
  RawSql(f.path(), "DELETE FROM ledger WHERE seq = 3");
  LedgerCheck check = f.Verify();
  RequireBadAt(check, 4);
  CHECK(check.entries == 2);
  CHECK_THAT(check.problem, Catch::Contains("missing"));
}

TEST_CASE("deleting the first ledger entry is detected") {
  LedgerFixture f(3);
  RawSql(f.path(), "DELETE FROM ledger WHERE seq = 1");
  RequireBadAt(f.Verify(), 2);
}

TEST_CASE("renumbering a middle ledger entry is detected") {
  LedgerFixture f(5);
  RawSql(f.path(), "UPDATE ledger SET seq = 10 WHERE seq = 3");
  RequireBadAt(f.Verify(), 4);
}

TEST_CASE("swapping two ledger entries is detected at the first of them") {
  LedgerFixture f(5);
  RawSql(f.path(),
         "UPDATE ledger SET seq = -4 WHERE seq = 4;"
         "UPDATE ledger SET seq = 4 WHERE seq = 3;"
         "UPDATE ledger SET seq = 3 WHERE seq = -4");
  LedgerCheck check = f.Verify();
  RequireBadAt(check, 3);
  CHECK_THAT(check.problem, Catch::Contains("prev_hash"));
}

TEST_CASE("deleting the last ledger entry is caught by the head") {
  LedgerFixture f(5);
  RawSql(f.path(), "DELETE FROM ledger WHERE seq = 5");
  LedgerCheck check = f.Verify();
  RequireBadAt(check, 5);
  CHECK(check.entries == 4);
  CHECK_THAT(check.problem, Catch::Contains("removed from the end"));
}

TEST_CASE("deleting every ledger entry is caught by the head") {
  LedgerFixture f(3);
  RawSql(f.path(), "DELETE FROM ledger");
  RequireBadAt(f.Verify(), 1);
}

// Rewrites entry `seq`'s target and recomputes its own hash, as a careful
// forger without the rest of the chain would.
void ForgeTarget(LedgerFixture& f, int64_t seq) {
  LedgerEntry forged = f.ReadAll().at(static_cast<size_t>(seq - 1));
  forged.target = "/var/backups/app/something-else.tar.zst";
  std::string hash = HashLedgerEntry(forged);
  std::unique_ptr<SqliteConnection> side = SideConnection(f.path());
  StatusOr<SqliteStatement> stmt =
      side->Prepare("UPDATE ledger SET target = ?, hash = ? WHERE seq = ?");
  REQUIRE(stmt.ok());
  REQUIRE(stmt->Bind(1, forged.target).Bind(2, hash).Bind(3, seq).Run().ok());
}

TEST_CASE("a rewritten entry with a recomputed hash breaks the next link") {
  LedgerFixture f(5);
  ForgeTarget(f, 3);
  LedgerCheck check = f.Verify();
  RequireBadAt(check, 4);
  CHECK_THAT(check.problem, Catch::Contains("prev_hash"));
}

TEST_CASE("a rewritten last entry with a recomputed hash breaks the head") {
  LedgerFixture f(5);
  ForgeTarget(f, 5);
  LedgerCheck check = f.Verify();
  RequireBadAt(check, 5);
  CHECK_THAT(check.problem, Catch::Contains("head"));
}

TEST_CASE("a head rolled back to an earlier entry is detected") {
  LedgerFixture f(5);
  std::string hash4 = f.ReadAll().at(3).hash;
  RawSql(f.path(), "UPDATE ledger_head SET seq = 4, hash = '" + hash4 + "'");
  RequireBadAt(f.Verify(), 5);
}

TEST_CASE("a missing ledger head is detected and blocks appends") {
  LedgerFixture f(2);
  RawSql(f.path(), "DELETE FROM ledger_head");
  RequireBadAt(f.Verify(), 3);
  StatusOr<LedgerEntry> e = f.ledger->Append(MakeEntry(3));
  CHECK(e.status().code() == Status::Code::kCorruption);
}

TEST_CASE("appends from several threads form one contiguous valid chain") {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  LedgerFixture f(0);
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f, &failures, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!f.ledger->Append(MakeEntry(t * 1000 + i)).ok()) ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int n : failures) CHECK(n == 0);

  std::vector<LedgerEntry> all = f.ReadAll();
  REQUIRE(all.size() == kThreads * kPerThread);
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].seq == static_cast<int64_t>(i + 1));
  }
  LedgerCheck check = f.Verify();
  INFO(check.problem);
  CHECK(check.ok);
  CHECK(check.entries == kThreads * kPerThread);
}

TEST_CASE("the ledger hash is deterministic") {
  LedgerEntry e = MakeEntry(1);
  e.seq = 1;
  e.prev_hash = kZeros;
  CHECK(HashLedgerEntry(e) == HashLedgerEntry(e));
  CHECK(HashLedgerEntry(e).size() == 64);
  CHECK(HashLedgerEntry(e).find_first_not_of("0123456789abcdef") ==
        std::string::npos);
  LedgerEntry with_hash = e;
  with_hash.hash = "ignored";
  CHECK(HashLedgerEntry(with_hash) == HashLedgerEntry(e));
}

TEST_CASE("the ledger hash changes when any field changes") {
  using Edit = std::function<void(LedgerEntry&)>;
  auto [name, edit] = GENERATE(table<const char*, Edit>({
      {"prev_hash", [](LedgerEntry& e) { e.prev_hash[0] = '1'; }},
      {"seq", [](LedgerEntry& e) { e.seq += 1; }},
      {"time", [](LedgerEntry& e) { e.time += std::chrono::nanoseconds(1); }},
      {"policy", [](LedgerEntry& e) { e.policy += "x"; }},
      {"action", [](LedgerEntry& e) { e.action = "rotate"; }},
      {"target", [](LedgerEntry& e) { e.target += "/"; }},
      {"count", [](LedgerEntry& e) { e.count = -1; }},
      {"bytes", [](LedgerEntry& e) { e.bytes += 1; }},
      {"detail", [](LedgerEntry& e) { e.detail.clear(); }},
      // Moving bytes across a field boundary must change the hash too.
      {"policy/action boundary",
       [](LedgerEntry& e) {
         e.policy += e.action.substr(0, 1);
         e.action.erase(0, 1);
       }},
      {"target/detail boundary",
       [](LedgerEntry& e) {
         e.detail = e.target.substr(e.target.size() - 1) + e.detail;
         e.target.pop_back();
       }},
  }));
  LedgerEntry base = MakeEntry(1);
  base.seq = 7;
  base.prev_hash = kZeros;
  LedgerEntry changed = base;
  edit(changed);
  INFO(name);
  CHECK(HashLedgerEntry(changed) != HashLedgerEntry(base));
}

}  // namespace
}  // namespace retention::ledger_test

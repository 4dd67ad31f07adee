// A fresh state database with its ledger, and planned deletions, for the
// tests of write-ahead intents and their LedgerContext. Tests only.
#pragma once

#include <catch2/catch.hpp>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/intent_log.h"
#include "core/ledger.h"
#include "core/state_db.h"
#include "fakes/fake_clock.h"
#include "sql/sqlite_connection.h"
#include "temp_dir.h"

namespace retention {

struct StateFixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<StateDb> db;
  std::unique_ptr<Ledger> ledger;
  std::atomic<bool> no_stop{false};

  StateFixture() {
    auto opened = StateDb::Open(dir.File("state.db"));
    REQUIRE(opened.ok());
    db = std::move(*opened);
    ledger = std::make_unique<Ledger>(*db);
  }
  // Actions under open intents: one an intent, or a group's unsettled ones.
  size_t Open() {
    auto open = OpenIntents(*db, "");
    REQUIRE(open.ok());
    size_t n = 0;
    for (const Intent& i : *open) {
      n += i.items.empty() ? 1 : i.items.size() - i.recorded;
    }
    return n;
  }
  // Runs `sql` on the state database, which must take it.
  void Exec(const char* sql) {
    REQUIRE(db->WithConnection([&](SqliteConnection& c) { return c.Exec(sql); })
                .ok());
  }
  std::vector<LedgerEntry> Entries() {
    auto entries = ledger->Read(0, 1000000);
    REQUIRE(entries.ok());
    return *entries;
  }
};

inline Action Delete(const std::string& path, uint64_t ino) {
  Action a;
  a.verb = Verb::kDelete;
  a.target = path;
  a.expected.dev = 1;
  a.expected.ino = ino;
  a.bytes = 10;
  a.reason = "older than 30d";
  return a;
}

}  // namespace retention

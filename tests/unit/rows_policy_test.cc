// RowsPolicy on a FakeDatabase: what a run deletes (only rows before the
// one cutoff, never early), how it paces batches, how it meets a busy
// database, a stop request and a failing ledger, and what it records.
#include "kinds/rows/rows_policy.h"

#include <catch2/catch.hpp>

#include "fakes/fake_clock.h"
#include "fakes/fake_database.h"
#include "kinds/rows/rows_planner.h"

namespace retention::rows_policy_test {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

class RecordingContext final : public ExecContext {
 public:
  Status Record(const std::string&, const Action& action) override {
    if (!fail_record.ok()) return fail_record;
    recorded.push_back(action);
    return Status::Ok();
  }
  bool stopping() const override { return stop; }

  std::vector<Action> recorded;
  Status fail_record;
  bool stop = false;
};

struct RowsFixture {
  FakeClock clock;
  std::shared_ptr<FakeRows> rows = std::make_shared<FakeRows>();
  RowsPolicy policy{"rows.tokens", Rule(), clock, FakeOpener(rows)};
  RecordingContext ctx;

  static RowsRule Rule() {
    RowsRule rule;
    rule.target = {"/app.db", "tokens", "created_at", "", {}};
    rule.max_age = hours(1);
    rule.every = std::chrono::minutes(1);
    return rule;
  }
  // `n` rows with rowids from `first`, each a second older than the last,
  // the youngest `age` old.
  void AddRows(int64_t first, int64_t n, Duration age) {
    for (int64_t i = 0; i < n; ++i) {
      rows->Add(first + i, clock.Now() - age - seconds(i));
    }
  }
  Plan MakePlan() {
    auto plan = policy.MakePlan(clock.Now());
    REQUIRE(plan.ok());
    return *plan;
  }
  int64_t Recorded() const {
    int64_t n = 0;
    for (const Action& a : ctx.recorded) n += static_cast<int64_t>(a.count);
    return n;
  }
};

TEST_CASE("a rows run deletes the expired rows and keeps the rest") {
  RowsFixture f;
  f.AddRows(1, 10, hours(2));
  f.AddRows(100, 5, std::chrono::minutes(10));
  Plan plan = f.MakePlan();
  CHECK(f.rows->last_open_read_only);
  ExecResult r = f.policy.Execute(plan, f.ctx);
  CHECK(r.done == 1);
  CHECK(r.errors.empty());
  CHECK(f.rows->rows.size() == 5);
  CHECK(f.rows->Has(100));
  CHECK_FALSE(f.rows->last_open_read_only);
  REQUIRE(f.ctx.recorded.size() == 1);
  const Action& a = f.ctx.recorded[0];
  CHECK(a.count == 10);
  CHECK(a.target == "tokens rowid 1..10");
  CHECK(a.reason.find("created_at before 2025-12-31T23:00:00Z") == 0);
  CHECK(LatenessOf(a.reason) == seconds(3600 + 9));
}

TEST_CASE("a rows dry run deletes nothing") {
  RowsFixture f;
  f.AddRows(1, 10, hours(2));
  f.AddRows(100, 5, std::chrono::minutes(10));
  Plan plan = f.MakePlan();
  CHECK(plan.actions.size() == 1);
  CHECK(f.rows->rows.size() == 15);
  CHECK(f.rows->batch_limits.empty());
}

TEST_CASE("rows one second younger than the cutoff survive") {
  RowsFixture f;
  f.rows->Add(1, f.clock.Now() - hours(1) - seconds(1));
  f.rows->Add(2, f.clock.Now() - hours(1));
  f.rows->Add(3, f.clock.Now() - hours(1) + seconds(1));
  f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK_FALSE(f.rows->Has(1));
  CHECK(f.rows->Has(2));
  CHECK(f.rows->Has(3));
}

TEST_CASE("a rows run keeps its one cutoff while time passes") {
  RowsFixture f;
  f.AddRows(1, 3, hours(2));
  f.rows->Add(50, f.clock.Now() - std::chrono::minutes(59));
  Plan plan = f.MakePlan();
  f.clock.Advance(hours(1));  // row 50 is old now, but not for this run
  f.policy.Execute(plan, f.ctx);
  CHECK(f.rows->rows.size() == 1);
  CHECK(f.rows->Has(50));
}

TEST_CASE("rows the where clause leaves out are never deleted") {
  RowsFixture f;
  f.rows->Add(1, f.clock.Now() - hours(5), /*matches=*/false);
  f.rows->Add(2, f.clock.Now() - hours(5));
  Plan plan = f.MakePlan();
  CHECK(plan.actions[0].count == 1);
  f.policy.Execute(plan, f.ctx);
  CHECK(f.rows->Has(1));
  CHECK_FALSE(f.rows->Has(2));
}

TEST_CASE("unparseable rows survive a run and are reported") {
  RowsFixture f;
  f.rows->Add(1, std::nullopt);
  f.AddRows(2, 2, hours(3));
  Plan plan = f.MakePlan();
  CHECK(plan.warnings.size() == 1);
  f.policy.Execute(plan, f.ctx);
  CHECK(f.rows->rows.size() == 1);
  CHECK(f.rows->Has(1));
}

TEST_CASE("batches grow toward the target hold and pause 2.5x after each") {
  RowsFixture f;
  f.AddRows(1, 20000, hours(2));
  f.rows->hold_per_row = microseconds(1);  // 2000 rows per 2 ms
  f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(f.rows->rows.empty());
  const auto& limits = f.rows->batch_limits;
  REQUIRE(limits.size() >= 4);
  CHECK(limits[0] == 256);
  CHECK(limits[1] == 512);
  CHECK(limits[2] == 1024);
  CHECK(limits[3] == 2000);
  // Every full batch held the lock at most ~2 ms, then paused >= 2.5x (the
  // last two batches are short).
  for (size_t i = 0; i + 2 < limits.size(); ++i) {
    const Duration hold = f.rows->hold_per_row * limits[i];
    CHECK(f.rows->pauses[i] >= hold * 5 / 2);
  }
  // ~70 ms of holds and pauses: no checkpoint until the one at the end.
  CHECK(f.rows->checkpoints == 1);
  CHECK(f.Recorded() == 20000);
}

// At 100 us a row, batches settle at 20 rows: 2 ms hold + 5 ms pause, so
// each row stands for about 0.35 ms of deleting.
TEST_CASE("a long rows run checkpoints about every 100 ms of deleting") {
  RowsFixture f;
  f.AddRows(1, 1000, hours(2));  // ~0.35 s
  f.rows->hold_per_row = microseconds(100);
  f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(f.rows->rows.empty());
  CHECK(f.rows->checkpoints >= 3);
  CHECK(f.rows->checkpoints <= 5);
  CHECK(f.rows->batch_limits.back() == 20);
}

// The application's connection checkpoints inside its own commit once the
// WAL reaches 1000 frames (SQLite's default); a batch that leaves
// kCheckpointFrames is checkpointed at once, whatever the time.
TEST_CASE("a batch that grows the WAL past kCheckpointFrames is checkpointed") {
  RowsFixture f;
  f.AddRows(1, 1000, hours(2));
  f.rows->hold_per_row = microseconds(100);  // batches settle at 20 rows
  f.rows->wal_frames_per_row = 10;           // 200 frames a batch
  f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(f.rows->rows.empty());
  // ~0.35 s of deleting would checkpoint 3-5 times by time alone.
  CHECK(f.rows->checkpoints >= 12);
}

TEST_CASE("a checkpoint's time counts toward the pause after a batch") {
  RowsFixture f;
  f.AddRows(1, 1000, hours(2));
  f.rows->hold_per_row = microseconds(100);
  f.rows->checkpoint_time = milliseconds(3);
  f.policy.Execute(f.MakePlan(), f.ctx);
  // Settled batches hold 2 ms and pause 5 ms; after a checkpoint, 2 ms.
  int shortened = 0;
  for (Duration p : f.rows->pauses) {
    CHECK(p >= milliseconds(2));
    if (p == milliseconds(2)) ++shortened;
  }
  CHECK(shortened >= 2);
}

TEST_CASE("a long rows run records to the ledger about once a second") {
  RowsFixture f;
  f.AddRows(1, 2000, hours(2));  // ~0.7 s
  f.rows->hold_per_row = microseconds(100);
  f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(f.ctx.recorded.size() == 1);
  f.AddRows(10001, 10000, hours(2));  // ~3.5 s
  f.ctx.recorded.clear();
  f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(f.ctx.recorded.size() >= 3);
  CHECK(f.ctx.recorded.size() <= 5);
  CHECK(f.Recorded() == 10000);
  CHECK(f.ctx.recorded[0].target.find("..20000") != std::string::npos);
}

// Checks, at each ledger entry, that the entries so far record no row the
// database has not made durable.
class DurableCheckingContext final : public ExecContext {
 public:
  explicit DurableCheckingContext(const FakeRows& rows) : rows_(rows) {}
  Status Record(const std::string&, const Action& action) override {
    recorded += static_cast<int64_t>(action.count);
    ++entries;
    if (recorded > rows_.DurableRows()) ++overstated;
    return Status::Ok();
  }
  bool stopping() const override { return false; }

  int64_t recorded = 0;
  int entries = 0;
  int overstated = 0;

 private:
  const FakeRows& rows_;
};

TEST_CASE("rows enter the ledger once durable, and batches never wait for it") {
  RowsFixture f;
  f.AddRows(1, 20000, hours(2));  // ~7 s of holds and pauses
  f.rows->hold_per_row = microseconds(100);
  // About 1.4 s of batches are not durable yet at any time.
  f.rows->durable_lag = 200;
  DurableCheckingContext ctx(*f.rows);
  ExecResult r = f.policy.Execute(f.MakePlan(), ctx);
  CHECK(r.done == 1);
  CHECK(ctx.overstated == 0);
  CHECK(ctx.recorded == 20000);
  CHECK(ctx.entries >= 3);  // recorded as the run went, not only at the end
  // Only the run's last record waited for durability.
  CHECK(f.rows->make_durable_calls == 1);
}

TEST_CASE("a busy database is backed off and retried, not failed") {
  RowsFixture f;
  f.AddRows(1, 10, hours(2));
  f.rows->fail_next = {Status::Busy("locked"), Status::Busy("locked")};
  ExecResult r = f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(r.errors.empty());
  CHECK(r.done == 1);
  CHECK(f.rows->rows.empty());
  REQUIRE(f.rows->pauses.size() >= 2);
  CHECK(f.rows->pauses[0] == milliseconds(50));
  CHECK(f.rows->pauses[1] == milliseconds(100));
}

TEST_CASE("a database busy for 30 s ends the run with an error") {
  RowsFixture f;
  f.AddRows(1, 10, hours(2));
  f.rows->fail_next.assign(100, Status::Busy("database is locked"));
  ExecResult r = f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(r.done == 0);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].find("database is locked") != std::string::npos);
  CHECK(f.rows->rows.size() == 10);
  CHECK(f.ctx.recorded.empty());
}

TEST_CASE("a failed batch stops the run and what was done is recorded") {
  RowsFixture f;
  f.AddRows(1, 1000, hours(2));
  int batches = 0;
  f.rows->after_batch = [&] {
    if (++batches == 1) f.rows->fail_next = {Status::Corruption("malformed")};
  };
  ExecResult r = f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(r.done == 0);
  CHECK(r.failed == 1);
  CHECK(f.Recorded() == 256);
  CHECK(f.rows->rows.size() == 1000 - 256);
}

TEST_CASE("a stop request finishes the current batch, records it, and stops") {
  RowsFixture f;
  f.AddRows(1, 5000, hours(2));
  int batches = 0;
  f.rows->after_batch = [&] {
    if (++batches == 2) f.ctx.stop = true;
  };
  ExecResult r = f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(r.done == 0);
  CHECK(f.rows->batch_limits.size() == 2);
  CHECK(f.rows->rows.size() == 5000 - 256 - 512);
  CHECK(f.Recorded() == 256 + 512);
  // The next run continues where this one stopped.
  f.ctx.stop = false;
  f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(f.rows->rows.empty());
  CHECK(f.Recorded() == 5000);
}

TEST_CASE("a rows run stops when the ledger cannot record") {
  RowsFixture f;
  f.AddRows(1, 10000, hours(2));
  f.rows->hold_per_row = microseconds(100);
  f.ctx.fail_record = Status::IoError("disk");
  ExecResult r = f.policy.Execute(f.MakePlan(), f.ctx);
  CHECK(r.done == 0);
  REQUIRE_FALSE(r.errors.empty());
  CHECK(r.errors.back().find("ledger") == 0);
  // It stopped after the first second's worth of batches (~2,900 rows).
  CHECK(f.rows->rows.size() > 5000);
  CHECK(f.rows->rows.size() < 9000);
}

TEST_CASE("a rows plan without expired rows opens no write connection") {
  RowsFixture f;
  f.AddRows(1, 3, std::chrono::minutes(5));
  Plan plan = f.MakePlan();
  ExecResult r = f.policy.Execute(plan, f.ctx);
  CHECK(r.done == 0);
  CHECK(f.rows->opens == 1);
}

}  // namespace
}  // namespace retention::rows_policy_test

namespace retention::rows_policy_test {
namespace {

// A context that hands out intent ids, as LedgerContext does.
class IntentContext final : public ExecContext {
 public:
  Status Record(const std::string&, const Action& action) override {
    recorded.push_back(action);
    return Status::Ok();
  }
  Status Intend(const std::string&, const std::vector<const Action*>& actions,
                std::vector<int64_t>* ids) override {
    if (!fail_intend.ok()) return fail_intend;
    ids->clear();
    for (size_t i = 0; i < actions.size(); ++i) ids->push_back(next_id++);
    return Status::Ok();
  }
  bool stopping() const override { return false; }

  std::vector<Action> recorded;
  Status fail_intend;
  int64_t next_id = 7;
};

TEST_CASE("every rows batch adds its rows to the run's mark") {
  RowsFixture f;
  f.rows->hold_per_row = milliseconds(1);  // small batches
  f.AddRows(1, 3000, hours(2));
  IntentContext ctx;
  ExecResult r = f.policy.Execute(f.MakePlan(), ctx);
  CHECK(r.done == 1);
  CHECK(r.rows == 3000);
  CHECK(f.rows->batch_limits.size() > 2);
  REQUIRE(f.rows->mark);
  CHECK(f.rows->mark->intent == 7);
  CHECK(f.rows->mark->rows == 3000);
}

TEST_CASE("a rows intent resolves to the marked rows the ledger lacks") {
  RowsFixture f;
  Intent intent;
  intent.id = 7;
  intent.policy = "rows.tokens";
  intent.recorded = 1200;
  f.rows->mark = RowsMark{7, 2000, 1, 2000};
  IntentFate fate = f.policy.Resolve(intent);
  CHECK(fate.kind == IntentFate::Kind::kPerformed);
  CHECK(fate.count == 800);
  CHECK(fate.target == "tokens rowid 1..2000");
  SECTION("a mark of another intent: none of this one committed") {
    f.rows->mark = RowsMark{6, 2000, 1, 2000};
    CHECK(f.policy.Resolve(intent).kind == IntentFate::Kind::kNotPerformed);
  }
  SECTION("no mark at all") {
    f.rows->mark.reset();
    CHECK(f.policy.Resolve(intent).kind == IntentFate::Kind::kNotPerformed);
  }
  SECTION("everything marked is recorded already") {
    intent.recorded = 2000;
    CHECK(f.policy.Resolve(intent).kind == IntentFate::Kind::kNotPerformed);
  }
}

TEST_CASE("a rows run whose intent cannot be written deletes nothing") {
  RowsFixture f;
  f.AddRows(1, 10, hours(2));
  IntentContext ctx;
  ctx.fail_intend = Status::NoSpace("disk full");
  ExecResult r = f.policy.Execute(f.MakePlan(), ctx);
  CHECK(r.done == 0);
  CHECK(f.rows->rows.size() == 10);
  REQUIRE_FALSE(r.errors.empty());
  CHECK(r.errors[0].find("deleting nothing") != std::string::npos);
}

}  // namespace
}  // namespace retention::rows_policy_test

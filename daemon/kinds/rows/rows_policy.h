// RowsPolicy: the [rows.NAME] kind — delete rows of an application table
// once their time column is older than max_age (never younger than the
// min_age floor), without the application noticing.
//
// A run takes one cutoff (plan.now - deadline). MakePlan surveys the table
// on a read-only connection; Execute deletes the expired rows oldest first
// in batches on a dedicated connection, each its own write transaction
// sized to hold the lock about 2 ms (PostgreSQL: 20 ms, Database::pacing), with a pause of at least 2.5 times
// the hold after each (BatchSizer), and a passive WAL checkpoint every
// 100 ms or so of that, done within a pause (the write lock is free while
// it runs). A busy database means back off and retry, not fail. Each batch is
// committed on its own, so a run stopped (or killed) anywhere leaves a
// consistent table and the next run simply continues; on a stop request the
// current batch finishes first. Removed rows are recorded in the ledger by
// count and rowid range, about once a second and at the end, never by
// content, and only once the database says they are durable (PostgreSQL
// commits batches asynchronously: there an entry lags its batches by about
// a second; see Record).
//
// On PostgreSQL several hosts may run the same policy (a fleet): a real run
// first takes the policy's lease (Database::AcquireLease, for
// LeaseTtl(every)); a host that does not get it deletes nothing, says
// "held by HOST until T" in its plan, and runs again just after that lease
// runs out when it does so within the period (NextWake); every batch renews
// the lease with its fencing token, so a run whose lease another host took
// stops with an error after rolling back that batch.
//
// Threading: one run at a time (the Runner's contract).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "config/config.h"
#include "core/policy.h"
#include "kinds/rows/rows_database.h"
#include "kinds/rows/rows_rule.h"

namespace retention {

class KindRegistry;

// Registers the kind's keys, validation and factory. The factory opens the
// database and runs Database::Check, so a missing table, column or index is
// a configuration error at start and at reload.
void RegisterRowsKind(KindRegistry* registry);

// Opens a new connection to the policy's database (read-only for planning).
using DatabaseOpener =
    std::function<StatusOr<std::unique_ptr<Database>>(bool read_only)>;

class RowsPolicy final : public Policy {
 public:
  // How much deleting (lock holds and pauses) a ledger entry covers at most.
  static constexpr Duration kRecordEvery = std::chrono::seconds(1);
  // How much deleting may pass between passive WAL checkpoints (and one
  // after the last batch): often enough to keep the WAL to a few MiB, rare
  // enough that checkpoint I/O does not dominate.
  static constexpr Duration kCheckpointEvery = std::chrono::milliseconds(100);
  // ... and a checkpoint as soon as a batch leaves this many frames in the
  // WAL. It must stay well under SQLite's default wal_autocheckpoint (1000
  // pages), which the application's own connection runs inside its next
  // commit: measured, letting the WAL reach it made the application's
  // inserts stall 12-18 ms every ~150 ms (tests/bench/rows_expiry.sh).
  static constexpr int64_t kCheckpointFrames = 400;

  RowsPolicy(std::string id, RowsRule rule, Clock& clock, DatabaseOpener open);

  const std::string& id() const override { return id_; }
  Duration every() const override { return rule_.every; }
  bool destructive() const override { return true; }
  DeleteBrakeLimit delete_brake() const override { return rule_.brake; }
  StatusOr<Plan> MakePlan(WallTime now) override;
  ExecResult Execute(const Plan& plan, ExecContext& ctx) override;
  // Reads the batches' mark in the application's database: the rows the
  // intent's committed batches removed beyond what the ledger holds.
  IntentFate Resolve(const Intent& intent) override;
  // The lease's holder as last seen (PostgreSQL); nullopt on SQLite.
  std::optional<WorkHolder> work_holder() const override;
  // Just after another host's lease runs out, when a run was refused it
  // (LeaseRetryIn); nullopt otherwise.
  std::optional<WallTime> NextWake(WallTime now) const override;

 private:
  struct Pending;
  // Deletes batch after batch under `intent`; true when no expired row is
  // left. result->rows counts the rows removed.
  bool DeleteAll(Database& db, WallTime cutoff, const BatchMark& mark,
                 ExecContext& ctx, ExecResult* result);
  // Acquires the policy's lease for this run: its token (0 on SQLite), or
  // nullopt when another host holds it or it could not be read (said in
  // `result`, or logged).
  // Refused a lease that runs out within the period, it asks to run
  // again just after (NextWake).
  std::optional<int64_t> TakeLease(Database& db, ExecResult* result);
  // Notes the holder; true when it is another host than last seen.
  bool SeeLease(const LeaseHolder& lease);
  // Accounts for one batch: ledger, checkpoint, then the pause. False when
  // the run must stop.
  bool AfterBatch(Database& db, const RowsBatch& batch, Pending* pending,
                  WallTime cutoff, ExecContext& ctx, ExecResult* result);
  // Records what the batches removed. The run's last record makes every
  // batch durable (Database::MakeDurable) and records all that is left,
  // closing the intent; the others never wait: RecordDurable. False when
  // the database or the ledger failed (the run must stop).
  bool Record(Database& db, Pending* pending, WallTime cutoff,
              ExecContext& ctx, ExecResult* result);
  // Seals the rows removed since the last seal at the database's current
  // DurablePoint and writes each sealed part to the ledger once Durable
  // says so; a part not durable yet waits for a later call while the
  // batches go on, so a ledger entry lags its batches by about
  // kRecordEvery.
  bool RecordDurable(Database& db, Pending* pending, WallTime cutoff,
                     ExecContext& ctx, ExecResult* result);
  // Notes a failure to make batches durable in `result`; false.
  static bool DurableFailed(const Status& st, ExecResult* result);
  // Writes one delete entry for `removed` (Done on the run's last record,
  // else Progress) and flushes the ledger; false when that failed.
  bool Write(const RowsBatch& removed, const Pending& pending, WallTime cutoff,
             ExecContext& ctx, ExecResult* result);

  std::string id_;
  RowsRule rule_;
  Clock& clock_;
  DatabaseOpener open_;
  mutable std::mutex holder_mu_;
  std::optional<WorkHolder> holder_;  // guarded by holder_mu_
  std::optional<WallTime> retry_at_;  // guarded by holder_mu_
};

}  // namespace retention

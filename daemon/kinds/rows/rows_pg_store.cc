// The PostgreSQL implementation of the Database seam (rows_database.h).
// Every statement is built from validated, quoted identifiers, the
// column's type read from the catalog, and the policy's `where` text
// (checked by ValidateWhereText and compiled by the server at Check); the
// cutoff and batch size are bound parameters, sent as text and typed by
// the statement's casts.
//
// A batch is one transaction with SET LOCAL lock_timeout and
// statement_timeout, and three round trips: BEGIN (with the SETs), one
// statement, COMMIT. The statement picks the oldest expired rows through
// the time index with FOR UPDATE SKIP LOCKED (rows the application holds
// are left for a later run, never waited on), deletes them by ctid, and
// adds their count to this host's mark in retentiond_batches (in the
// table's schema) — so after a crash the mark says exactly what committed.
// Batches commit without a WAL flush; the policy records rows in the
// ledger only once the WAL flush has passed them (DurablePoint and
// Durable while the batches go on, MakeDurable at the end of a run), so a
// server crash never takes back rows the ledger holds.
// With a lease (BatchMark::lease_token), the same statement renews it
// first and selects rows only if that worked: a lease another host took
// deletes nothing (rows_pg_fleet_store.h).
// A lock or statement timeout is kBusy: the policy backs off and retries.
// PostgreSQL rows have no stable number: batches report no rowid range
// (0..0), the counts are exact without it. Each batch of a run starts its
// index range at the newest time the previous one removed: starting at the
// oldest again would walk every dead index entry the run left so far
// (measured: 82k rows/s on 1M rows, 29k on 5M). Rows older than that which
// a batch skipped (locked) or the application inserted late are left for
// the next run. Batches are paced longer than on SQLite (pacing()): the
// application's writes never wait on them. Checkpoint() does nothing: the
// server checkpoints, and autovacuum reclaims the dead tuples, which Survey
// reports (never VACUUM FULL, which would lock the table).
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "kinds/rows/rows_database.h"
#include "kinds/rows/rows_pg_catalog_store.h"
#include "kinds/rows/rows_pg_fleet_store.h"
#include "kinds/rows/rows_pg_stats_store.h"
#include "sql/pg_connection.h"
#include "sql/pg_time.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {
namespace {

class PgDatabase final : public Database {
 public:
  PgDatabase(std::unique_ptr<PgConnection> db, const RowsTarget& target,
             bool read_only)
      : db_(std::move(db)), target_(target), read_only_(read_only) {
    table_ = QuoteQualifiedName(target.table);
    column_ = QuoteIdentifier(target.time_column);
    match_ = target.where.empty() ? "true" : "(" + target.where + ")";
  }

  // Reads the catalog; its error is kept for Check and the rest to return.
  Status Describe() {
    described_ = DescribeTable();
    return described_;
  }
  Status Check(bool allow_full_scan) override;
  StatusOr<RowsSurvey> Survey(WallTime cutoff) override;
  StatusOr<RowsBatch> DeleteBatch(WallTime cutoff, int64_t limit,
                                  const BatchMark& mark) override;
  StatusOr<std::optional<RowsMark>> ReadMark(
      const std::string& policy) override;
  StatusOr<LeaseGrant> AcquireLease(const std::string& policy,
                                    Duration ttl) override;
  StatusOr<std::optional<LeaseHolder>> ReadLease(
      const std::string& policy) override;
  // Measured with tests/bench/rows_expiry_pg.sh (README, Measured).
  BatchPacing pacing() const override {
    return {std::chrono::milliseconds(20), 2.5};
  }
  Status MakeDurable() override;
  StatusOr<uint64_t> DurablePoint() override;
  StatusOr<bool> Durable(uint64_t point) override;
  Duration Checkpoint() override { return Duration::zero(); }
  void Pause(Duration d) override { std::this_thread::sleep_for(d); }

 private:
  Status DescribeTable();
  Status Begin(PgTransaction& tx, bool read_only,
               bool synchronous_commit = true) {
    return tx.Begin(read_only, target_.lock_timeout, target_.statement_timeout,
                    synchronous_commit);
  }
  // f() (a StatusOr) in its own transaction, committed when it succeeds.
  template <typename F>
  auto InTransaction(bool read_only, F&& f) -> decltype(f()) {
    PgTransaction tx(*db_);
    RETENTION_RETURN_IF_ERROR(Begin(tx, read_only));
    auto result = f();
    if (!result.ok()) return result.status();
    RETENTION_RETURN_IF_ERROR(tx.Commit());
    return result;
  }
  // The time column as sql/pg_time.h reads it (after Describe).
  PgTimeColumn TimeColumn() const {
    return {column_, table_info_.regtype, table_info_.type, target_.format};
  }
  Status CheckType() const;
  // Once per connection: ANALYZE the table if it never was and the role
  // owns it (RowsSurvey::never_analyzed).
  void AnalyzeIfNever();
  Status Analyze();
  // The cutoff as the text its cast reads ($1).
  std::string CutoffParam(WallTime cutoff) const;
  std::string Cast() const;
  std::string Seconds() const { return SecondsOf(column_); }
  // `expr`, a value of the time column's type, as unix seconds.
  std::string SecondsOf(const std::string& expr) const {
    PgTimeColumn c = TimeColumn();
    c.quoted = expr;
    return c.Seconds();
  }
  std::string Old() const {
    const std::string finite = target_.format == TimeFormat::kNative
                                   ? " AND isfinite(" + column_ + ")"
                                   : "";
    return column_ + " < $1::" + Cast() + finite;
  }
  // With `resume`, from $3 on: the index range starts where the last
  // batch ended instead of at the dead entries it left. `also`: a further
  // condition (the lease's).
  std::string SelectOld(bool resume = false,
                        const std::string& also = "") const {
    const std::string from =
        resume ? " AND " + column_ + " >= $3::" + Cast() : "";
    return "SELECT ctid FROM " + table_ + " WHERE " + Old() + from + also +
           " AND " + match_ + " ORDER BY " + column_ + " LIMIT $2::integer";
  }
  // The one statement of a batch (DeleteBatch), its values in `params`.
  std::string BatchStatement(const BatchMark& mark, bool resume,
                             PgParams* params) const;
  PgFleetTables Fleet() const { return PgFleetTables(table_info_.schema); }
  // Creates or migrates the fleet's tables once per connection.
  Status EnsureFleet();
  std::string Where() const { return target_.table + " (" + db_->name() + ")"; }

  std::unique_ptr<PgConnection> db_;
  RowsTarget target_;
  bool read_only_;
  std::string table_, column_, match_;
  Status described_ = Status::Ok();
  PgTable table_info_;
  bool fleet_ready_ = false;
  bool analyze_checked_ = false;
  // The policy of marked batches committed since the last MakeDurable;
  // empty when there are none.
  std::string unflushed_;
  int64_t marked_intent_ = 0;  // whose mark this connection last committed
  // The newest time the last batch under resume_cutoff_ removed, as the
  // column's text; empty before the first batch of a cutoff.
  std::string resume_;
  WallTime resume_cutoff_{};
};

Status PgDatabase::DescribeTable() {
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, true));
  auto table = DescribePgTable(*db_, target_);
  if (!table.ok()) return table.status();
  table_info_ = *table;
  return tx.Commit();
}

Status PgDatabase::CheckType() const {
  return TimeColumn().CheckFormat("column " + target_.time_column + " of " +
                                  Where());
}

Status PgDatabase::Check(bool allow_full_scan) {
  RETENTION_RETURN_IF_ERROR(described_);
  RETENTION_RETURN_IF_ERROR(CheckType());
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, true));
  Status compiled = db_->Prepare(SelectOld(), 2);
  if (!compiled.ok() && !compiled.IsBusy()) {
    return Status::InvalidArgument("where does not compile against " + Where() +
                                   ": " + compiled.message());
  }
  RETENTION_RETURN_IF_ERROR(compiled);
  if (!allow_full_scan) RETENTION_RETURN_IF_ERROR(CheckPgTimeIndex(*db_, target_));
  return tx.Commit();
}

std::string PgDatabase::Cast() const { return TimeColumn().Cast(); }

std::string PgDatabase::CutoffParam(WallTime cutoff) const {
  return TimeColumn().Param(cutoff);
}


StatusOr<RowsSurvey> PgDatabase::Survey(WallTime cutoff) {
  RETENTION_RETURN_IF_ERROR(described_);
  const std::string kept = column_ + " >= $1::" + Cast();
  const std::string bad = column_ + " IS NULL" +
                          (target_.format == TimeFormat::kNative
                               ? " OR NOT isfinite(" + column_ + ")"
                               : "");
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, true));
  // The minimum of the column, read as seconds once (per row it cost a
  // third of the scan: extract is numeric since PostgreSQL 14).
  auto r = db_->Query(
      "SELECT x.old, " + SecondsOf("x.old_min") + ", x.kept, " +
          SecondsOf("x.kept_min") + ", x.bad FROM (SELECT count(*) FILTER "
          "(WHERE " + Old() + ") AS old, min(" + column_ + ") FILTER (WHERE " +
          Old() + ") AS old_min, count(*) FILTER (WHERE " + kept +
          ") AS kept, min(" + column_ + ") FILTER (WHERE " + kept +
          ") AS kept_min, count(*) FILTER (WHERE " + bad + ") AS bad FROM " +
          table_ + " WHERE " + match_ + ") x",
      {CutoffParam(cutoff)});
  if (!r.ok()) return r.status();
  RowsSurvey s;
  s.expired = r->Int64(0, 0);
  if (!r->IsNull(0, 1)) s.oldest_expired = WallTimeFromSeconds(r->Double(0, 1));
  s.kept = r->Int64(0, 2);
  if (!r->IsNull(0, 3)) s.oldest_kept = WallTimeFromSeconds(r->Double(0, 3));
  s.unparseable = r->Int64(0, 4);
  auto stats = ReadPgTableStats(*db_, table_);
  if (stats.ok()) {
    s.dead_tuples = stats->dead_tuples;
    s.never_analyzed = stats->never_analyzed;
    s.may_analyze = stats->may_analyze;
  }
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  return s;
}

void PgDatabase::AnalyzeIfNever() {
  if (analyze_checked_) return;
  analyze_checked_ = true;
  // Best effort, once per connection: an ANALYZE that fails or times out
  // leaves the batches slow, not stopped, and the next plan warns again.
  (void)Analyze();
}

Status PgDatabase::Analyze() {
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, false));
  RETENTION_RETURN_IF_ERROR(AnalyzeIfNeverAnalyzed(*db_, table_));
  return tx.Commit();
}

Status PgDatabase::EnsureFleet() {
  if (fleet_ready_) return Status::Ok();
  PgTransaction tx(*db_);
  RETENTION_RETURN_IF_ERROR(Begin(tx, false));
  auto ready = Fleet().Ready(*db_);
  if (!ready.ok()) return ready.status();
  if (!*ready) RETENTION_RETURN_IF_ERROR(Fleet().Create(*db_));
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  fleet_ready_ = true;
  return Status::Ok();
}

StatusOr<LeaseGrant> PgDatabase::AcquireLease(const std::string& policy,
                                              Duration ttl) {
  RETENTION_RETURN_IF_ERROR(described_);
  if (read_only_) return Status::FailedPrecondition("read-only connection");
  RETENTION_RETURN_IF_ERROR(EnsureFleet());
  return InTransaction(
      false, [&] { return Fleet().Acquire(*db_, policy, target_.host, ttl); });
}

StatusOr<std::optional<LeaseHolder>> PgDatabase::ReadLease(
    const std::string& policy) {
  RETENTION_RETURN_IF_ERROR(described_);
  return InTransaction(true, [&] { return Fleet().ReadLease(*db_, policy); });
}

std::string PgDatabase::BatchStatement(const BatchMark& mark, bool resume,
                                       PgParams* params) const {
  std::string with = "WITH ";
  std::string also, until;
  if (mark.lease_token != 0) {
    with += Fleet().LeaseCte(target_.host, mark, params) + ", ";
    also = " AND EXISTS (SELECT FROM lease)";
    until = ", (SELECT until FROM lease)";
  }
  with += "gone AS (DELETE FROM " + table_ + " WHERE ctid = ANY(ARRAY(" +
          SelectOld(resume, also) + " FOR UPDATE SKIP LOCKED)) RETURNING " +
          column_ + "), sum AS (SELECT count(*) AS n, min(" + column_ +
          ") AS " + column_ + ", max(" + column_ + ") AS newest FROM gone)";
  if (mark.intent != 0) {
    with += ", " + Fleet().MarkCte(target_.host, mark,
                                   mark.intent != marked_intent_, params);
  }
  // Seconds() of the oldest only: per row (extract is numeric since
  // PostgreSQL 14) it cost about a quarter of the statement.
  return with + " SELECT n, " + Seconds() + ", newest::text" + until +
         " FROM sum";
}

StatusOr<RowsBatch> PgDatabase::DeleteBatch(WallTime cutoff, int64_t limit,
                                            const BatchMark& mark) {
  RETENTION_RETURN_IF_ERROR(described_);
  if (read_only_) return Status::FailedPrecondition("read-only connection");
  if (mark.intent != 0 || mark.lease_token != 0) {
    RETENTION_RETURN_IF_ERROR(EnsureFleet());
  }
  AnalyzeIfNever();
  if (cutoff != resume_cutoff_) resume_.clear();
  PgParams params = {CutoffParam(cutoff), std::to_string(limit)};
  if (!resume_.empty()) params.push_back(resume_);
  const std::string sql = BatchStatement(mark, !resume_.empty(), &params);
  PgTransaction tx(*db_);
  const auto start = std::chrono::steady_clock::now();
  // A marked batch commits without a flush: one the server loses in a
  // crash loses its mark too, and the ledger records it only once the WAL
  // flush has passed it (Durable, MakeDurable). Unmarked (tests without
  // intents): as the server is set.
  RETENTION_RETURN_IF_ERROR(Begin(tx, false, mark.intent == 0));
  auto r = db_->Query(sql, params);
  if (!r.ok()) return r.status();
  RowsBatch batch;
  if (mark.lease_token != 0) {
    if (r->IsNull(0, 3)) {
      return Status::Aborted("the lease of " + mark.policy +
                             " is no longer this host's (token " +
                             std::to_string(mark.lease_token) +
                             "): another host took over; batch rolled back");
    }
    batch.lease_until = WallTimeFromSeconds(r->Double(0, 3));
  }
  batch.removed = r->Int64(0, 0);
  if (!r->IsNull(0, 1)) batch.oldest = WallTimeFromSeconds(r->Double(0, 1));
  RETENTION_RETURN_IF_ERROR(tx.Commit());
  if (batch.removed > 0 && mark.intent != 0) {
    marked_intent_ = mark.intent;
    unflushed_ = mark.policy;
  }
  batch.hold = std::chrono::steady_clock::now() - start;
  if (!r->IsNull(0, 2)) {
    resume_ = r->Text(0, 2);
    resume_cutoff_ = cutoff;
  }
  return batch;
}

StatusOr<uint64_t> PgDatabase::DurablePoint() {
  return Fleet().WalInsertPoint(*db_);
}

StatusOr<bool> PgDatabase::Durable(uint64_t point) {
  return Fleet().WalFlushedPast(*db_, point);
}

Status PgDatabase::MakeDurable() {
  if (unflushed_.empty()) return Status::Ok();
  // The WAL writer's own flush, else (late) a synchronous commit of a
  // transaction that writes WAL flushes it past every earlier batch.
  auto flushed = Fleet().AwaitWalFlush(*db_, [this](Duration d) { Pause(d); });
  if (!flushed.ok()) return flushed.status();
  if (!*flushed) {
    PgTransaction tx(*db_);
    RETENTION_RETURN_IF_ERROR(Begin(tx, false));
    RETENTION_RETURN_IF_ERROR(db_->Exec("SET LOCAL synchronous_commit = on"));
    RETENTION_RETURN_IF_ERROR(
        Fleet().TouchMark(*db_, unflushed_, target_.host));
    RETENTION_RETURN_IF_ERROR(tx.Commit());
  }
  unflushed_.clear();
  return Status::Ok();
}

StatusOr<std::optional<RowsMark>> PgDatabase::ReadMark(
    const std::string& policy) {
  RETENTION_RETURN_IF_ERROR(described_);
  auto mark = InTransaction(
      true, [&] { return Fleet().ReadMark(*db_, policy, target_.host); });
  if (!mark.ok() || !mark->has_value()) return mark;
  // The recovery records what it read: make that durable first (a batch
  // committed just before retentiond stopped may not be yet).
  unflushed_ = policy;
  RETENTION_RETURN_IF_ERROR(MakeDurable());
  return mark;
}

}  // namespace

StatusOr<std::unique_ptr<Database>> OpenPgDatabase(const RowsTarget& target,
                                                   bool read_only) {
  auto conn = PgConnection::Open(target.pg_uri);
  if (!conn.ok()) return conn.status();
  auto db = std::make_unique<PgDatabase>(std::move(*conn), target, read_only);
  // A missing table or column is Check's error to report, not Open's.
  Status described = db->Describe();
  if (described.IsBusy()) return described;
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace retention

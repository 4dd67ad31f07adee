// Database: the seam between the [rows.NAME] kind and the application's
// database. One Database is one connection dedicated to one policy's table:
// it surveys the rows older than a cutoff and deletes them in small, bounded
// transactions. Only its implementations speak SQL (SQLite,
// rows_sqlite_store.cc; PostgreSQL, rows_pg_store.cc); tests use an
// in-memory fake (tests/fakes/fake_database.h).
//
// Time values are compared in the column's own format (RowsTarget::format):
// a value that cannot be read as a time in that format is never old — it is
// counted (RowsSurvey::unparseable) and left alone.
//
// A fleet (several hosts, one PostgreSQL database, the same policy) shares
// the work through two tables beside the policy's table: each host's
// batches' marks are keyed by (policy, host), and one lease per policy in
// retentiond_leases says which host deletes now. A run acquires the lease
// (AcquireLease, one statement, INSERT ... ON CONFLICT DO UPDATE ... WHERE
// expired OR ours, RETURNING a new fencing token); each batch's
// transaction first renews it with that token (BatchMark::lease_token) and
// deletes nothing if the lease has moved on (kAborted). Everything is
// transaction-scoped — no session advisory lock, no session SET, no named
// prepared statement — so it works through PgBouncer in transaction
// pooling. SQLite serves one host: its lease is always granted, token 0,
// which checks nothing.
//
// Threading: thread-compatible; one policy run uses its Database from one
// thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "kinds/rows/rows_lease.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {

// What a rows policy works on. Identifiers are plain SQL names
// ([A-Za-z_][A-Za-z0-9_]*; on PostgreSQL the table may be "schema.table"),
// quoted by the implementation; `where` is one boolean expression (empty:
// every row), checked by ValidateWhereText.
struct RowsTarget {
  std::string path;  // SQLite: the database file
  std::string table;
  std::string time_column;
  std::string where;
  TimeFormat format = TimeFormat::kUnixSeconds;
  std::string pg_uri;  // PostgreSQL: the libpq URI; empty for SQLite
  // How long one statement waits for a lock (SQLite: the busy timeout;
  // PostgreSQL: lock_timeout) and, on PostgreSQL, runs at most
  // (statement_timeout) before the batch gives up with kBusy.
  Duration lock_timeout = std::chrono::seconds(1);
  Duration statement_timeout = std::chrono::seconds(30);
  // This host's id ([daemon] host_id; the host name by default): the
  // holder of leases and the key of this host's marks (PostgreSQL).
  std::string host;

  bool postgres() const { return !pg_uri.empty(); }
  // The database for messages: the file, or the URI without its password.
  std::string name() const {
    return postgres() ? RedactPassword(pg_uri) : path;
  }
};

// Matching rows (those `where` selects) split by a cutoff.
struct RowsSurvey {
  int64_t expired = 0;  // time before the cutoff
  std::optional<WallTime> oldest_expired;
  int64_t kept = 0;  // time at or after the cutoff
  std::optional<WallTime> oldest_kept;
  int64_t unparseable = 0;  // time missing or not in the format
  // PostgreSQL: the table's dead tuples (pg_stat_user_tables.n_dead_tup),
  // the vacuum debt deleting leaves behind; nullopt where unknown.
  std::optional<int64_t> dead_tuples;
  // PostgreSQL: the table was never analyzed (no planner statistics:
  // reltuples < 0, no last_analyze or last_autoanalyze), and whether this
  // connection's role may ANALYZE it (owns it), which the first batch of
  // a run then does (PgDatabase::DeleteBatch).
  bool never_analyzed = false;
  bool may_analyze = false;
};

// One committed batch.
struct RowsBatch {
  int64_t removed = 0;
  // SQLite: the rowid range of the removed rows; 0 when none. PostgreSQL has
  // no stable row number (a ctid moves with every update), so both stay 0
  // there: the count in the batches' mark is what keeps the ledger exact.
  int64_t min_rowid = 0;
  int64_t max_rowid = 0;
  std::optional<WallTime> oldest;  // the oldest removed row's time
  Duration hold{};  // how long the write lock was held (BEGIN to COMMIT)
  // Frames in the write-ahead log after the commit (the application's
  // included); 0 when unknown or not in WAL mode.
  int64_t wal_frames = 0;
  // Until when the batch renewed the lease (BatchMark::lease_token != 0).
  std::optional<WallTime> lease_until;
};

// The mark a batch leaves in the application's database, in the same
// transaction as its DELETE, so that after a crash the rows a write-ahead
// intent (intent_log.h) removed are known exactly — the application's own
// deletions are never counted. One row per (policy, host) in
// retentiond_batches, so a host's recovery counts its own batches only; on
// PostgreSQL a Database's first marked batch starts the mark afresh even
// for an intent number the mark already has (one run is one Database, and
// a recreated state database numbers its intents from 1 again).
// With lease_token != 0 the batch also renews the policy's lease for
// lease_ttl, in the same transaction, and deletes nothing (kAborted) when
// the lease is no longer this host's with that token.
struct BatchMark {
  std::string policy;
  int64_t intent = 0;       // 0: leave no mark
  int64_t lease_token = 0;  // 0: no lease to check (SQLite, tests)
  Duration lease_ttl{};
};

// What the marks of `intent` add up to.
struct RowsMark {
  int64_t intent = 0;  // the last intent that committed a batch
  int64_t rows = 0;    // rows its batches removed, all together
  int64_t min_rowid = 0;
  int64_t max_rowid = 0;
};

// How a backend's batches are paced (rows_planner.h: BatchSizer): how long
// one batch should hold its transaction, and the pause after it as a
// multiple of the hold. SQLite's write lock stops the application's
// writes, so batches are short and the lock mostly free; a PostgreSQL batch
// locks only the expired rows it deletes (the application's inserts never
// wait on it), so its batches are longer and its pauses shorter.
struct BatchPacing {
  Duration target_hold = std::chrono::milliseconds(2);
  double pause_factor = 2.5;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual BatchPacing pacing() const { return {}; }
  // Checks that the table, the time column and `where` exist and compile,
  // and — unless `allow_full_scan` — that finding expired rows uses an index
  // whose first column is the time column. Failure: kNotFound (no table or
  // column), kInvalidArgument (bad `where`; a view or WITHOUT ROWID table;
  // no usable index, naming the CREATE INDEX statement that would fix it),
  // or the error reading the database (kCorruption, kBusy, ...).
  virtual Status Check(bool allow_full_scan) = 0;
  // Counts matching rows against `cutoff` in one read snapshot.
  virtual StatusOr<RowsSurvey> Survey(WallTime cutoff) = 0;
  // In one write transaction, deletes up to `limit` matching rows whose
  // time is before `cutoff`, oldest first. removed == 0: none are left.
  // kBusy when the write lock could not be had within the busy timeout (the
  // caller backs off and retries); on any error nothing was deleted.
  // With mark.intent != 0, the batch also adds its rows to the policy's
  // mark in the same transaction.
  virtual StatusOr<RowsBatch> DeleteBatch(WallTime cutoff, int64_t limit,
                                          const BatchMark& mark) = 0;
  // Acquires or renews `policy`'s lease for this host (target.host) for
  // `ttl`: granted with a new fencing token when the lease is free, expired
  // or already ours; otherwise not granted, naming the holder. The default
  // (SQLite: one host) always grants token 0. Failure: the database's
  // error (kBusy: the lease row is locked by a holder's batch).
  virtual StatusOr<LeaseGrant> AcquireLease(const std::string& policy,
                                            Duration ttl) {
    (void)policy;
    (void)ttl;
    return LeaseGrant{true, LeaseHolder{}};
  }
  // Reads `policy`'s lease without taking it; nullopt when there is none
  // (never acquired, or a backend without leases).
  virtual StatusOr<std::optional<LeaseHolder>> ReadLease(
      const std::string& policy) {
    (void)policy;
    return std::optional<LeaseHolder>();
  }
  // This host's mark of the policy; nullopt when it has none (no marked batch
  // ever committed). Failure: the error reading the database.
  virtual StatusOr<std::optional<RowsMark>> ReadMark(
      const std::string& policy) = 0;
  // Makes every batch committed so far durable on the server, so the
  // ledger never records rows a server crash could bring back. The default
  // (SQLite, whose commits are durable against a crash of the application
  // and retentiond) does nothing; PostgreSQL batches commit asynchronously,
  // and this waits for the server's WAL flush to pass their commit records
  // (forcing it with a synchronous commit after 2 s). Failure: the
  // database's error (the caller records nothing more: the mark, read at
  // recovery, will).
  virtual Status MakeDurable() { return Status::Ok(); }
  // The non-waiting pair the policy records with while its batches go on
  // (RowsPolicy::Record): DurablePoint() names the position in the
  // database's commit order reached now (PostgreSQL: the WAL insert
  // position, past every batch committed so far), and Durable(point) says
  // whether everything before `point` is durable yet (PostgreSQL: the WAL
  // flush position has passed it). The defaults (SQLite: commits are
  // durable) are 0 and true. Failure: the database's error.
  virtual StatusOr<uint64_t> DurablePoint() { return uint64_t{0}; }
  virtual StatusOr<bool> Durable(uint64_t point) {
    (void)point;
    return true;
  }
  // Moves committed pages back into the database without blocking writers
  // (SQLite: wal_checkpoint(PASSIVE); PostgreSQL: nothing, zero) and
  // returns how long that took, which
  // counts toward the next pause (the write lock is free meanwhile). One
  // that cannot finish (readers, a busy writer) is retried later: it never
  // fails the run.
  virtual Duration Checkpoint() = 0;
  // Waits `d` while holding no lock, so the application gets its turn.
  virtual void Pause(Duration d) = 0;
};

// Opens a dedicated connection to `target.path` (which must exist) with a
// busy timeout of `busy_timeout`. Read-only connections can Check and
// Survey only. Failure: kNotFound / kPermissionDenied / kIoError.
StatusOr<std::unique_ptr<Database>> OpenSqliteDatabase(const RowsTarget& target,
                                                       bool read_only,
                                                       Duration busy_timeout);

// Connects to `target.pg_uri` (libpq; a connect timeout of 10 s unless the
// URI sets one). Each statement runs in a transaction with SET LOCAL
// lock_timeout and statement_timeout from `target`; either expiring is
// kBusy. Read-only connections can Check and Survey only (they run in READ
// ONLY transactions). Failure: kIoError (unreachable), kPermissionDenied
// (authentication), with the URI's password redacted.
StatusOr<std::unique_ptr<Database>> OpenPgDatabase(const RowsTarget& target,
                                                   bool read_only);

// The backend `target` names: OpenPgDatabase or OpenSqliteDatabase (with
// target.lock_timeout as the busy timeout).
StatusOr<std::unique_ptr<Database>> OpenRowsDatabase(const RowsTarget& target,
                                                     bool read_only);

}  // namespace retention

// The PostgreSQL tables a fleet of hosts shares beside a rows policy's
// table (rows_database.h): `<schema>.retentiond_batches`, each host's
// batches' mark per policy, keyed by (policy, host), and
// `<schema>.retentiond_leases(policy, holder, token, expires_at)`, which
// host deletes a policy's rows now. Used by rows_pg_store.cc only; every
// function runs inside the caller's transaction (nothing session-scoped,
// so PgBouncer's transaction pooling is fine), times come from the
// server's clock (now(): the transaction's start).
//
// Threading: thread-compatible, like the PgConnection it is given.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "kinds/rows/rows_database.h"
#include "sql/pg_connection.h"

namespace retention {

class PgFleetTables {
 public:
  // The tables in `schema` (unquoted, as the catalog names it).
  explicit PgFleetTables(const std::string& schema);

  // Whether both tables exist in their current shape: a catalog read, no
  // lock. Failure: the database's error.
  StatusOr<bool> Ready(PgConnection& db) const;
  // Creates the tables, or migrates a retentiond_batches of one mark per
  // policy forward (ADD COLUMN host DEFAULT '', primary key (policy,
  // host)), keeping its marks; serialized between hosts by a
  // transaction-scoped advisory lock. Precondition: a read-write
  // transaction is open.
  Status Create(PgConnection& db) const;

  // The part of a batch's statement (PgDatabase::DeleteBatch: one
  // statement renews the lease, deletes and marks, one round trip) that
  // adds the rows counted by its CTE `sum` (column n) to `host`'s mark of
  // `mark.policy` when n > 0: the CTE `mark`, its values bound in `params`.
  // A new intent starts the mark afresh, the same one adds to it — unless
  // `fresh` (the run's first marked batch): intent numbers are unique only
  // within one state database, and a host whose state directory was
  // recreated numbers its intents from 1 again.
  std::string MarkCte(const std::string& host, const BatchMark& mark,
                      bool fresh, PgParams* params) const;
  // The CTE `lease` of a batch's statement: extends the lease `mark` holds
  // by mark.lease_ttl, locking its row until the transaction ends, and
  // returns its new expiry (column until, epoch seconds); no row when the
  // lease is no longer (host, mark.lease_token). The batch selects its
  // rows only if `lease` has a row, so a lease another host took deletes
  // nothing.
  std::string LeaseCte(const std::string& host, const BatchMark& mark,
                       PgParams* params) const;
  // The server's WAL insert position now, as a byte offset: past the
  // commit record of every transaction committed so far, asynchronous
  // ones included. Failure: the database's error.
  StatusOr<uint64_t> WalInsertPoint(PgConnection& db) const;
  // Whether the server's WAL is flushed past `point` (WalInsertPoint);
  // never waits.
  StatusOr<bool> WalFlushedPast(PgConnection& db, uint64_t point) const;
  // Waits, calling `pause` between polls, until the server's WAL is
  // flushed past its insert position read now (past every commit so far,
  // asynchronous ones included): the WAL writer flushes on its own within
  // wal_writer_delay (200 ms by default). False after 40 polls of 50 ms
  // (2 s, ten times that default): the caller forces the flush. Forcing it
  // at once (a synchronous commit) made the application's inserts wait
  // behind the fsync: 69 of 21,506 over 50 ms, up to 176 ms
  // (tests/bench/rows_expiry_pg.sh). Both positions are the server's, so
  // this holds through PgBouncer whichever server connection committed.
  StatusOr<bool> AwaitWalFlush(
      PgConnection& db, const std::function<void(Duration)>& pause) const;
  // Rewrites `host`'s mark of `policy` unchanged: a write, so that the
  // transaction writes WAL and a synchronous commit of it flushes the WAL
  // (a transaction that wrote none commits without a flush). Ok when
  // there is no such mark (nothing was written either).
  Status TouchMark(PgConnection& db, const std::string& policy,
                   const std::string& host) const;
  // Whether the marks table has the host column (migrated); nullopt when
  // there is no marks table.
  StatusOr<std::optional<bool>> Keyed(PgConnection& db) const;
  // `host`'s mark of `policy`; a mark written before the migration (host
  // '') counts as this host's when it has none of its own. nullopt: none.
  StatusOr<std::optional<RowsMark>> ReadMark(PgConnection& db,
                                             const std::string& policy,
                                             const std::string& host) const;

  // INSERT ... ON CONFLICT DO UPDATE ... WHERE expired OR ours: granted
  // with a new token, or the current holder. Precondition: Create ran.
  StatusOr<LeaseGrant> Acquire(PgConnection& db, const std::string& policy,
                               const std::string& host, Duration ttl) const;
  // The lease of `policy`; nullopt when there is none (or no table).
  StatusOr<std::optional<LeaseHolder>> ReadLease(
      PgConnection& db, const std::string& policy) const;

 private:
  std::string schema_, marks_, leases_;
};

}  // namespace retention

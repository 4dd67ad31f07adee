#include "kinds/rows/rows_pg_fleet_store.h"

#include <chrono>
#include <cstdlib>

#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {
namespace {

std::string Millis(Duration d) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Any constant: the key of the transaction-scoped advisory lock that
// serializes the hosts creating or migrating the tables.
constexpr const char* kDdlLock = "2026120517";

}  // namespace

PgFleetTables::PgFleetTables(const std::string& schema)
    : schema_(schema),
      marks_(QuoteIdentifier(schema) + ".retentiond_batches"),
      leases_(QuoteIdentifier(schema) + ".retentiond_leases") {}

StatusOr<bool> PgFleetTables::Ready(PgConnection& db) const {
  auto r = db.Query(
      "SELECT to_regclass($2) IS NOT NULL AND EXISTS (SELECT 1 FROM "
      "pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p' AND "
      "array_length(conkey, 1) = 2)",
      {marks_, leases_});
  if (!r.ok()) return r.status();
  return r->Text(0, 0) == "t";
}

Status PgFleetTables::Create(PgConnection& db) const {
  RETENTION_RETURN_IF_ERROR(
      db.Exec(std::string("SELECT pg_advisory_xact_lock(") + kDdlLock + ")"));
  RETENTION_RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS " + marks_ +
      " (policy text NOT NULL, host text NOT NULL DEFAULT '', intent bigint "
      "NOT NULL, rows bigint NOT NULL, min_rowid bigint NOT NULL, max_rowid "
      "bigint NOT NULL, PRIMARY KEY (policy, host)); CREATE TABLE IF NOT "
      "EXISTS " +
      leases_ +
      " (policy text PRIMARY KEY, holder text NOT NULL, token bigint NOT "
      "NULL, expires_at timestamptz NOT NULL)"));
  // A table of one mark per policy (before fleets): the existing marks
  // become host '' (ReadMark's fallback), the key (policy, host).
  auto pk = db.Query(
      "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1) "
      "AND contype = 'p' AND array_length(conkey, 1) = 1",
      {marks_});
  if (!pk.ok()) return pk.status();
  if (pk->rows() == 0) return Status::Ok();
  return db.Exec("ALTER TABLE " + marks_ +
                 " ADD COLUMN IF NOT EXISTS host text NOT NULL DEFAULT '', "
                 "DROP CONSTRAINT " +
                 QuoteIdentifier(pk->Text(0, 0)) +
                 ", ADD PRIMARY KEY (policy, host)");
}

std::string PgFleetTables::MarkCte(const std::string& host,
                                   const BatchMark& mark, bool fresh,
                                   PgParams* params) const {
  const std::string policy = BindParam(params, mark.policy);
  const std::string by = BindParam(params, host);
  const std::string intent = BindParam(params, std::to_string(mark.intent));
  const std::string afresh = BindParam(params, fresh ? "true" : "false");
  return "mark AS (INSERT INTO " + marks_ +
         " AS m (policy, host, intent, rows, min_rowid, max_rowid) SELECT " +
         policy + ", " + by + ", " + intent +
         "::bigint, n, 0, 0 FROM sum WHERE n > 0 ON CONFLICT (policy, host) "
         "DO UPDATE SET rows = CASE WHEN m.intent = EXCLUDED.intent AND NOT " +
         afresh +
         "::boolean THEN m.rows + EXCLUDED.rows ELSE EXCLUDED.rows END, "
         "intent = EXCLUDED.intent)";
}

std::string PgFleetTables::LeaseCte(const std::string& host,
                                    const BatchMark& mark,
                                    PgParams* params) const {
  const std::string ttl = BindParam(params, Millis(mark.lease_ttl));
  const std::string policy = BindParam(params, mark.policy);
  const std::string holder = BindParam(params, host);
  const std::string token = BindParam(params, std::to_string(mark.lease_token));
  return "lease AS (UPDATE " + leases_ + " SET expires_at = now() + " + ttl +
         "::bigint * interval '1 millisecond' WHERE policy = " + policy +
         " AND holder = " + holder + " AND token = " + token +
         "::bigint RETURNING extract(epoch FROM expires_at)::float8 AS until)";
}

StatusOr<uint64_t> PgFleetTables::WalInsertPoint(PgConnection& db) const {
  auto r = db.Query("SELECT (pg_current_wal_insert_lsn() - '0/0')::text");
  if (!r.ok()) return r.status();
  return static_cast<uint64_t>(std::strtoull(r->Text(0, 0).c_str(), nullptr, 10));
}

StatusOr<bool> PgFleetTables::WalFlushedPast(PgConnection& db,
                                             uint64_t point) const {
  auto r = db.Query("SELECT pg_current_wal_flush_lsn() - '0/0' >= $1::numeric",
                    {std::to_string(point)});
  if (!r.ok()) return r.status();
  return r->Text(0, 0) == "t";
}

StatusOr<bool> PgFleetTables::AwaitWalFlush(
    PgConnection& db, const std::function<void(Duration)>& pause) const {
  constexpr int kPolls = 40;
  constexpr Duration kPoll = std::chrono::milliseconds(50);
  auto point = WalInsertPoint(db);
  if (!point.ok()) return point.status();
  for (int poll = 0; poll < kPolls; ++poll) {
    auto flushed = WalFlushedPast(db, *point);
    if (!flushed.ok() || *flushed) return flushed;
    pause(kPoll);
  }
  return false;
}

Status PgFleetTables::TouchMark(PgConnection& db, const std::string& policy,
                                const std::string& host) const {
  auto keyed = Keyed(db);
  if (!keyed.ok() || !keyed->has_value()) return keyed.status();
  return (**keyed ? db.Query("UPDATE " + marks_ +
                                 " SET rows = rows WHERE policy = $1 AND "
                                 "host IN ($2, '')",
                             {policy, host})
                  : db.Query("UPDATE " + marks_ +
                                 " SET rows = rows WHERE policy = $1",
                             {policy}))
      .status();
}

StatusOr<std::optional<bool>> PgFleetTables::Keyed(PgConnection& db) const {
  auto cols = db.Query(
      "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT 1 FROM "
      "pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'host' "
      "AND NOT attisdropped)",
      {marks_});
  if (!cols.ok()) return cols.status();
  if (cols->Text(0, 0) != "t") return std::optional<bool>();
  return std::optional<bool>(cols->Text(0, 1) == "t");
}

StatusOr<std::optional<RowsMark>> PgFleetTables::ReadMark(
    PgConnection& db, const std::string& policy,
    const std::string& host) const {
  auto table = Keyed(db);
  if (!table.ok()) return table.status();
  if (!table->has_value()) return std::optional<RowsMark>();
  // Not migrated yet (no batch of this version ran): the old single mark.
  auto r = **table ? db.Query("SELECT intent, rows, min_rowid, max_rowid FROM " +
                                marks_ +
                                " WHERE policy = $1 AND host IN ($2, '') "
                                "ORDER BY host = $2 DESC LIMIT 1",
                            {policy, host})
                 : db.Query("SELECT intent, rows, min_rowid, max_rowid FROM " +
                                marks_ + " WHERE policy = $1",
                            {policy});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<RowsMark>();
  return std::optional<RowsMark>(
      RowsMark{r->Int64(0, 0), r->Int64(0, 1), r->Int64(0, 2), r->Int64(0, 3)});
}

StatusOr<LeaseGrant> PgFleetTables::Acquire(PgConnection& db,
                                            const std::string& policy,
                                            const std::string& host,
                                            Duration ttl) const {
  auto r = db.Query(
      "INSERT INTO " + leases_ +
          " AS l (policy, holder, token, expires_at) VALUES ($1, $2, 1, "
          "now() + $3::bigint * interval '1 millisecond') ON CONFLICT "
          "(policy) DO UPDATE SET holder = EXCLUDED.holder, token = l.token "
          "+ 1, expires_at = EXCLUDED.expires_at WHERE l.expires_at <= now() "
          "OR l.holder = EXCLUDED.holder RETURNING token, extract(epoch FROM "
          "expires_at)::float8",
      {policy, host, Millis(ttl)});
  if (!r.ok()) return r.status();
  if (r->rows() == 1) {
    return LeaseGrant{true, LeaseHolder{host, r->Int64(0, 0),
                                        WallTimeFromSeconds(r->Double(0, 1))}};
  }
  auto held = db.Query(
      "SELECT holder, token, extract(epoch FROM expires_at)::float8, "
      "extract(epoch FROM expires_at - now())::float8 FROM " +
          leases_ + " WHERE policy = $1",
      {policy});
  if (!held.ok()) return held.status();
  if (held->rows() == 0) {
    return Status::Aborted("the lease of " + policy + " vanished");
  }
  LeaseGrant grant{false, LeaseHolder{held->Text(0, 0), held->Int64(0, 1),
                                      WallTimeFromSeconds(held->Double(0, 2))}};
  grant.left = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(held->Double(0, 3)));
  return grant;
}

StatusOr<std::optional<LeaseHolder>> PgFleetTables::ReadLease(
    PgConnection& db, const std::string& policy) const {
  auto exists = db.Query("SELECT to_regclass($1) IS NOT NULL", {leases_});
  if (!exists.ok()) return exists.status();
  if (exists->Text(0, 0) != "t") return std::optional<LeaseHolder>();
  auto r = db.Query(
      "SELECT holder, token, extract(epoch FROM expires_at)::float8 FROM " +
          leases_ + " WHERE policy = $1",
      {policy});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<LeaseHolder>();
  return std::optional<LeaseHolder>(LeaseHolder{
      r->Text(0, 0), r->Int64(0, 1), WallTimeFromSeconds(r->Double(0, 2))});
}

}  // namespace retention

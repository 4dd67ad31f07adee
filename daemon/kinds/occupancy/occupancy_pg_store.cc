// The PostgreSQL half of occupancy_database.h. Table names may be
// schema-qualified and are quoted; user ids, quotas and times are bound
// parameters (the published rows go as arrays, one statement per chunk of
// users). Every call is one connection and one transaction with SET LOCAL
// timeouts and nothing kept in the session, for PgBouncer's transaction
// pooling.
#include "kinds/occupancy/occupancy_database.h"
#include "sql/pg_connection.h"
#include "sql/pg_time.h"
#include "sql/sql_names.h"

namespace retention {
namespace {

constexpr Duration kLockTimeout = std::chrono::seconds(5);
constexpr Duration kStatementTimeout = std::chrono::seconds(60);
constexpr size_t kChunk = 5000;  // users per upsert statement

struct PgSession {
  std::unique_ptr<PgConnection> db;
  std::unique_ptr<PgTransaction> tx;
};

StatusOr<PgSession> Begin(const OccupancyTarget& t, bool read_only) {
  auto db = PgConnection::Open(t.pg_uri);
  if (!db.ok()) return db.status();
  PgSession s{std::move(*db), nullptr};
  s.tx = std::make_unique<PgTransaction>(*s.db);
  RETENTION_RETURN_IF_ERROR(
      s.tx->Begin(read_only, kLockTimeout, kStatementTimeout));
  return s;
}

std::string PgQuotaSql(const OccupancyTarget& from, const std::string& id) {
  const std::string column = QuoteIdentifier(from.column);
  return "SELECT " + QuoteIdentifier(id) + "::text, " + column +
         "::bigint FROM " + QuoteQualifiedName(from.table) + " WHERE " +
         column + " >= 0";
}

// The catalog's type of table.column: "" when there is no such column,
// kNotFound when there is no such table.
StatusOr<std::string> ColumnType(PgConnection& db, const std::string& table,
                                 const std::string& column) {
  auto r = db.Query(
      "SELECT format_type(a.atttypid, NULL) FROM pg_class c LEFT JOIN "
      "pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND "
      "a.attnum > 0 AND NOT a.attisdropped WHERE c.oid = to_regclass($1)",
      {QuoteQualifiedName(table), column});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    return Status::NotFound("no table " + table + " in " + db.name());
  }
  return r->Text(0, 0);
}

bool IsMissingTable(const Status& st) {
  return st.code() == Status::Code::kNotFound;
}

bool IsNumber(const std::string& type) {
  for (const char* t : {"smallint", "integer", "bigint", "numeric", "real",
                        "double precision"}) {
    if (type == t) return true;
  }
  return false;
}

// Whether the session's role holds `privilege` on table (and column).
Status RequirePrivilege(PgConnection& db, const std::string& table,
                        const std::string& column,
                        const std::string& privilege) {
  auto r = column.empty()
               ? db.Query("SELECT has_table_privilege($1, $2)",
                          {QuoteQualifiedName(table), privilege})
               : db.Query("SELECT has_column_privilege($1, $2, $3)",
                          {QuoteQualifiedName(table), column, privilege});
  if (!r.ok()) return r.status();
  if (r->Text(0, 0) == "t") return Status::Ok();
  return Status::PermissionDenied(
      "the role of " + db.name() + " may not " + privilege + " " +
      (column.empty() ? "" : "column " + column + " of ") + table);
}

// The published table's measured_at, read from the catalog: timestamptz,
// timestamp and date get the time, integer columns Unix seconds.
StatusOr<PgTimeColumn> MeasuredAt(PgConnection& db, const std::string& table) {
  auto type = ColumnType(db, table, "measured_at");
  if (!type.ok()) return type.status();
  PgTimeColumn c;
  c.quoted = "measured_at";
  c.regtype = *type;
  c.type = PgTimeTypeOf(*type);
  c.format = c.type == PgTimeType::kInteger ? TimeFormat::kUnixSeconds
                                            : TimeFormat::kNative;
  if (type->empty()) {
    return Status::NotFound("no column measured_at in table " + table + " (" +
                            db.name() + ")");
  }
  if (c.type == PgTimeType::kOther) {
    return Status::InvalidArgument(
        "column measured_at of " + table + " is " + *type +
        "; it must be timestamptz, timestamp, date, bigint or integer");
  }
  return c;
}

std::string UpsertSql(const std::string& table, const PgTimeColumn& at) {
  return "INSERT INTO " + QuoteQualifiedName(table) +
         " (user_id, allocated_bytes, apparent_bytes, files, measured_at) "
         "SELECT u, a, p, f, $5::" + at.Cast() +
         " FROM unnest($1::text[], $2::bigint[], $3::bigint[], "
         "$4::bigint[]) AS x(u, a, p, f) ON CONFLICT (user_id) DO UPDATE SET "
         "allocated_bytes = excluded.allocated_bytes, "
         "apparent_bytes = excluded.apparent_bytes, files = excluded.files, "
         "measured_at = excluded.measured_at";
}

// A text[] literal: each element in double quotes, '"' and '\' escaped.
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string IntArray(const std::vector<uint64_t>& values) {
  std::string out = "{";
  for (uint64_t v : values) {
    if (out.size() > 1) out += ',';
    out += std::to_string(v);
  }
  return out + "}";
}

Status UpsertChunk(PgConnection& db, const std::string& sql,
                   const std::string& at, const OccupancyRow* rows,
                   size_t count) {
  std::vector<std::string> users;
  std::vector<uint64_t> allocated, apparent, files;
  for (size_t i = 0; i < count; ++i) {
    users.push_back(rows[i].user);
    allocated.push_back(rows[i].allocated);
    apparent.push_back(rows[i].apparent);
    files.push_back(rows[i].files);
  }
  return db
      .Query(sql, {TextArray(users), IntArray(allocated), IntArray(apparent),
                   IntArray(files), at})
      .status();
}

Status CreateUsageTable(PgConnection& db, const std::string& table) {
  return db.Exec("CREATE TABLE IF NOT EXISTS " + QuoteQualifiedName(table) +
                 " (user_id text PRIMARY KEY, allocated_bytes bigint NOT "
                 "NULL, apparent_bytes bigint NOT NULL, files bigint NOT "
                 "NULL, measured_at timestamptz NOT NULL)");
}

// The upsert's conflict target: a unique index on user_id alone.
Status RequireUniqueUserId(PgConnection& db, const std::string& table) {
  auto r = db.Query(
      "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
      "i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = "
      "to_regclass($1) AND i.indisunique AND i.indnkeyatts = 1 AND "
      "i.indpred IS NULL AND a.attname = 'user_id'",
      {QuoteQualifiedName(table)});
  if (!r.ok()) return r.status();
  if (r->Int64(0, 0) > 0) return Status::Ok();
  return Status::InvalidArgument(
      "table " + table + " (" + db.name() +
      ") has no unique index on user_id alone, which the upsert needs");
}

// Whether the role may create `table` (in its schema, or the first schema
// of the search_path).
Status RequireCreate(PgConnection& db, const std::string& table) {
  const size_t dot = table.find('.');
  auto r = db.Query(
      "SELECT coalesce($1, current_schema()), has_schema_privilege("
      "coalesce($1, current_schema()), 'CREATE')",
      {dot == std::string::npos ? std::nullopt
                                : std::optional(table.substr(0, dot))});
  if (!r.ok()) return r.status();
  if (r->Text(0, 1) == "t") return Status::Ok();
  return Status::PermissionDenied("no table " + table + " in " + db.name() +
                                  ", and its role may not create it in "
                                  "schema " + r->Text(0, 0));
}

}  // namespace

StatusOr<std::map<std::string, uint64_t>> ReadPgQuotas(
    const OccupancyTarget& from, const std::string& id_column) {
  auto s = Begin(from, true);
  if (!s.ok()) return s.status();
  auto r = s->db->Query(PgQuotaSql(from, id_column));
  if (!r.ok()) return r.status();
  std::map<std::string, uint64_t> quotas;
  for (int i = 0; i < r->rows(); ++i) {
    if (!r->IsNull(i, 0)) quotas[r->Text(i, 0)] = uint64_t(r->Int64(i, 1));
  }
  RETENTION_RETURN_IF_ERROR(s->tx->Commit());
  return quotas;
}

Status PublishPgOccupancy(const OccupancyTarget& to,
                          const OccupancyScanRecord& scan) {
  auto s = Begin(to, false);
  if (!s.ok()) return s.status();
  PgConnection& db = *s->db;
  if (IsMissingTable(ColumnType(db, to.table, "user_id").status())) {
    RETENTION_RETURN_IF_ERROR(CreateUsageTable(db, to.table));
  }
  auto at = MeasuredAt(db, to.table);
  if (!at.ok()) return at.status();
  const std::string sql = UpsertSql(to.table, *at);
  const std::string measured = at->Param(scan.finished);
  for (size_t i = 0; i < scan.users.size(); i += kChunk) {
    RETENTION_RETURN_IF_ERROR(
        UpsertChunk(db, sql, measured, scan.users.data() + i,
                    std::min(kChunk, scan.users.size() - i)));
  }
  return s->tx->Commit();
}

Status CheckPgQuotaSource(const OccupancyTarget& from,
                          const std::string& id_column) {
  auto s = Begin(from, true);
  if (!s.ok()) return s.status();
  PgConnection& db = *s->db;
  for (const std::string& column : {id_column, from.column}) {
    auto type = ColumnType(db, from.table, column);
    if (!type.ok()) return type.status();
    if (type->empty()) {
      return Status::NotFound("no column " + column + " in table " +
                              from.table + " (" + db.name() + ")");
    }
    if (column == from.column && !IsNumber(*type)) {
      return Status::InvalidArgument(
          "column " + column + " of " + from.table + " is " + *type +
          "; a quota is a number of bytes (bigint)");
    }
    RETENTION_RETURN_IF_ERROR(
        RequirePrivilege(db, from.table, column, "SELECT"));
  }
  RETENTION_RETURN_IF_ERROR(db.Prepare(PgQuotaSql(from, id_column), 0));
  return s->tx->Commit();
}

Status CheckPgPublishTarget(const OccupancyTarget& to) {
  auto s = Begin(to, true);
  if (!s.ok()) return s.status();
  PgConnection& db = *s->db;
  if (IsMissingTable(ColumnType(db, to.table, "user_id").status())) {
    RETENTION_RETURN_IF_ERROR(RequireCreate(db, to.table));
    return s->tx->Commit();  // created at the first run
  }
  auto at = MeasuredAt(db, to.table);
  if (!at.ok()) return at.status();
  // Preparing the very upsert checks the columns and their types; its
  // conflict target is only looked for when it is planned.
  RETENTION_RETURN_IF_ERROR(db.Prepare(UpsertSql(to.table, *at), 5));
  RETENTION_RETURN_IF_ERROR(RequireUniqueUserId(db, to.table));
  RETENTION_RETURN_IF_ERROR(RequirePrivilege(db, to.table, "", "INSERT"));
  RETENTION_RETURN_IF_ERROR(RequirePrivilege(db, to.table, "", "UPDATE"));
  return s->tx->Commit();
}

}  // namespace retention

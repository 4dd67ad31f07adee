#include "kinds/rows/rows_pg_catalog_store.h"

#include "sql/sql_names.h"

namespace retention {

StatusOr<PgTable> DescribePgTable(PgConnection& db, const RowsTarget& target) {
  const std::string where = target.table + " (" + db.name() + ")";
  auto rel = db.Query(
      "SELECT n.nspname, c.relkind, format_type(a.atttypid, NULL) FROM "
      "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN "
      "pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND "
      "a.attnum > 0 AND NOT a.attisdropped WHERE c.oid = to_regclass($1)",
      {QuoteQualifiedName(target.table), target.time_column});
  if (!rel.ok()) return rel.status();
  if (rel->rows() == 0) return Status::NotFound("no table " + where);
  const std::string kind = rel->Text(0, 1);
  if (kind != "r") {
    return Status::InvalidArgument(
        target.table + " in " + db.name() + " is not a plain table (relkind " +
        kind +
        "); rows policies need one (a partitioned table: one policy per "
        "partition)");
  }
  if (rel->IsNull(0, 2)) {
    return Status::NotFound("no column " + target.time_column + " in " +
                            where);
  }
  PgTable table;
  table.schema = rel->Text(0, 0);
  table.regtype = rel->Text(0, 2);
  table.type = PgTimeTypeOf(table.regtype);
  return table;
}

Status CheckPgTimeIndex(PgConnection& db, const RowsTarget& target) {
  const std::string table = QuoteQualifiedName(target.table);
  auto idx = db.Query(
      "SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
      "JOIN pg_am am ON am.oid = ic.relam JOIN pg_attribute a ON "
      "a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid "
      "= to_regclass($1) AND a.attname = $2 AND am.amname = 'btree' AND "
      "i.indisvalid AND i.indpred IS NULL",
      {table, target.time_column});
  if (!idx.ok()) return idx.status();
  if (idx->rows() > 0) return Status::Ok();
  return Status::InvalidArgument(
      "no index of " + target.table + " has " + target.time_column +
      " as its first column, so finding expired rows scans the table; create "
      "one with: CREATE INDEX CONCURRENTLY ON " +
      table + " (" + QuoteIdentifier(target.time_column) +
      "); or set allow_full_scan = yes");
}

}  // namespace retention

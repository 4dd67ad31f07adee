#include "kinds/rows/rows_pg_stats_store.h"

namespace retention {

StatusOr<PgTableStats> ReadPgTableStats(PgConnection& db,
                                        const std::string& quoted_table) {
  auto r = db.Query(
      "SELECT s.n_dead_tup, c.reltuples < 0 AND s.last_analyze IS NULL AND "
      "s.last_autoanalyze IS NULL, pg_has_role(c.relowner, 'USAGE') FROM "
      "pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE "
      "c.oid = to_regclass($1)",
      {quoted_table});
  if (!r.ok()) return r.status();
  PgTableStats stats;
  if (r->rows() == 0) return stats;
  if (!r->IsNull(0, 0)) stats.dead_tuples = r->Int64(0, 0);
  stats.never_analyzed = r->Text(0, 1) == "t";
  stats.may_analyze = r->Text(0, 2) == "t";
  return stats;
}

Status AnalyzeIfNeverAnalyzed(PgConnection& db,
                              const std::string& quoted_table) {
  auto stats = ReadPgTableStats(db, quoted_table);
  if (!stats.ok()) return stats.status();
  if (!stats->never_analyzed || !stats->may_analyze) return Status::Ok();
  return db.Exec("ANALYZE " + quoted_table);
}

}  // namespace retention

#include "kinds/rows/rows_rule.h"

#include "core/delete_brake.h"

namespace retention {
RowsRule RowsRuleFromSection(const Section& section) {
  RowsRule rule;
  const DatabaseUrl url = *DatabaseUrlOf(section);
  rule.target.path = url.path;
  rule.target.pg_uri = url.uri;
  rule.target.lock_timeout = section.GetDuration("lock_timeout");
  rule.target.statement_timeout = section.GetDuration("statement_timeout");
  rule.target.table = section.GetString("table");
  rule.target.time_column = section.GetString("time_column");
  rule.target.where = section.GetStringOrEmpty("where");
  rule.target.format = ParseTimeFormat(section.GetString("time_format"));
  rule.max_age = section.GetDuration("max_age");
  rule.min_age = section.GetDuration("min_age");
  rule.every = section.GetDuration("every");
  rule.allow_full_scan = section.GetBool("allow_full_scan");
  rule.brake = DeleteBrakeLimitOf(section);
  return rule;
}

}  // namespace retention

// RowsKindSpec (rows_rule.h): the keys of [rows.NAME] and the checks that
// need no database. Each check reports at the line of the key it is about.
// Whether the table, column and index exist is checked when the policy is
// built (RowsPolicy), at start and at every reload.
#include "core/delete_brake.h"
#include "core/lateness.h"
#include "kinds/rows/rows_rule.h"

namespace retention {
namespace {

using Errors = std::vector<ConfigError>;


void CheckNames(const Section& s, bool postgres, Errors* errors) {
  for (const char* key : {"table", "time_column"}) {
    const std::string& name = s.GetString(key);
    const bool table = std::string(key) == "table";
    if (IsSqlIdentifier(name) ||
        (postgres && table && IsQualifiedSqlName(name))) {
      continue;
    }
    AddKeyError(s, key,
                "\"" + name +
                    "\" is not a plain SQL name (letters, digits, _; not "
                    "starting with a digit" +
                    (postgres && table ? "; or schema.table" : "") + ")",
                errors);
  }
}

void Validate(const Section& s, Errors* errors) {
  CheckDeleteBrakeKeys(s, errors);
  CheckLatenessKeys(s, errors);
  auto url = DatabaseUrlOf(s);
  if (!url.ok()) AddKeyError(s, "database", url.status().message(), errors);
  const bool postgres =
      url.ok() && url->backend == DatabaseUrl::Backend::kPostgres;
  CheckNames(s, postgres, errors);
  if (url.ok()) CheckTimeFormatFor(s, *url, errors);
  if (s.Has("where")) {
    Status st = ValidateWhereText(s.GetString("where"));
    if (!st.ok()) AddKeyError(s, "where", st.message(), errors);
  }
  RequirePositiveDurations(
      s, {"every", "max_age", "lock_timeout", "statement_timeout"}, errors);
}

}  // namespace

KindSpec RowsKindSpec() {
  KindSpec spec;
  spec.kind = "rows";
  spec.unit = "row";
  spec.keys = {
      {.name = "database",
       .required = true,
       .help = "sqlite:PATH of the application database (relative: to this "
               "file), or a postgresql:// connection URI"},
      {.name = "table",
       .required = true,
       .help = "the table whose rows expire (PostgreSQL: may be schema.table)"},
      {.name = "time_column",
       .required = true,
       .help = "the column dating each row (should be indexed)"},
      {.name = "time_format",
       .type = ValueType::kEnum,
       .default_value = "unix",
       .choices = {"unix", "unix_ms", "iso8601", "julianday", "native"},
       .help = "how time_column stores time"},
      {.name = "where",
       .help =
           "one SQL boolean expression selecting the rows this policy expires"},
      {.name = "max_age",
       .type = ValueType::kDuration,
       .required = true,
       .help = "delete rows older"},
      {.name = "min_age",
       .type = ValueType::kDuration,
       .default_value = "0",
       .help = "floor: never delete a row younger"},
      {.name = "allow_full_scan",
       .type = ValueType::kBool,
       .default_value = "no",
       .help =
           "accept a time column without an index (each run scans the table)"},
      {.name = "lock_timeout",
       .type = ValueType::kDuration,
       .default_value = "1s",
       .help = "how long one batch waits for a lock before backing off"},
      {.name = "statement_timeout",
       .type = ValueType::kDuration,
       .default_value = "30s",
       .help = "PostgreSQL: how long one statement may run"},
      {.name = "every",
       .type = ValueType::kDuration,
       .default_value = "1m",
       .help = "how often to run"},
  };
  AddDeleteBrakeKeys(&spec);
  AddLatenessKeys(&spec);
  spec.validate = Validate;
  return spec;
}

}  // namespace retention

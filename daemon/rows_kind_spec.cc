// RowsKindSpec (rows_rule.h): the keys of [rows.NAME] and the checks that
// need no database. Each check reports at the line of the key it is about.
// Whether the table, column and index exist is checked when the policy is
// built (RowsPolicy), at start and at every reload.
#include "delete_brake.h"
#include "rows_rule.h"

namespace retention {
namespace {

using Errors = std::vector<ConfigError>;

void Validate(const Section& s, Errors* errors) {
  CheckDeleteBrakeKeys(s, errors);
  auto path = DatabasePathOf(s);
  if (!path.ok()) AddKeyError(s, "database", path.status().message(), errors);
  for (const char* key : {"table", "time_column"}) {
    if (!IsSqlIdentifier(s.GetString(key))) {
      AddKeyError(s, key,
                  "\"" + s.GetString(key) +
                      "\" is not a plain SQL name (letters, digits, _; not "
                      "starting with a digit)",
                  errors);
    }
  }
  if (s.Has("where")) {
    Status st = ValidateWhereText(s.GetString("where"));
    if (!st.ok()) AddKeyError(s, "where", st.message(), errors);
  }
  RequirePositiveDurations(s, {"every", "max_age"}, errors);
}

}  // namespace

KindSpec RowsKindSpec() {
  KindSpec spec;
  spec.kind = "rows";
  spec.unit = "row";
  spec.keys = {
      {"database",
       ValueType::kString,
       "",
       true,
       {},
       "sqlite:PATH of the application database (relative: to this file)"},
      {"table",
       ValueType::kString,
       "",
       true,
       {},
       "the table whose rows expire"},
      {"time_column",
       ValueType::kString,
       "",
       true,
       {},
       "the column dating each row (should be indexed)"},
      {"time_format",
       ValueType::kEnum,
       "unix",
       false,
       {"unix", "unix_ms", "iso8601", "julianday"},
       "how time_column stores time"},
      {"where",
       ValueType::kString,
       "",
       false,
       {},
       "one SQL boolean expression selecting the rows this policy expires"},
      {"max_age", ValueType::kDuration, "", true, {}, "delete rows older"},
      {"min_age",
       ValueType::kDuration,
       "0",
       false,
       {},
       "floor: never delete a row younger"},
      {"allow_full_scan",
       ValueType::kBool,
       "no",
       false,
       {},
       "accept a time column without an index (each run scans the table)"},
      {"every", ValueType::kDuration, "1m", false, {}, "how often to run"},
  };
  AddDeleteBrakeKeys(&spec);
  spec.validate = Validate;
  return spec;
}

}  // namespace retention

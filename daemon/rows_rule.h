// RowsRule: the settings of one [rows.NAME] section (rows of an application
// table that expire by a time column), and the pure checks on them: SQL
// identifiers, the `where` expression's text, the database URL. The kind's
// keys and cross-key validation are RowsKindSpec() (rows_kind_spec.cc).
// Thread-safe (no state).
#pragma once

#include <algorithm>
#include <string>

#include "config.h"
#include "database.h"
#include "kind_registry.h"
#include "policy.h"

namespace retention {

struct RowsRule {
  RowsTarget target;
  Duration max_age{};
  Duration min_age{};  // floor: wins over max_age
  Duration every{};
  bool allow_full_scan = false;
  DeleteBrakeLimit brake;  // the mass-deletion brake (delete_brake.h)

  // Rows older than this are expired: max(max_age, min_age).
  Duration deadline() const { return std::max(max_age, min_age); }
};

// Precondition: `section` is a [rows.NAME] section validated at load.
RowsRule RowsRuleFromSection(const Section& section);

// A plain SQL name: [A-Za-z_][A-Za-z0-9_]*, at most 128 characters.
bool IsSqlIdentifier(const std::string& name);
// `name` in double quotes. Precondition: IsSqlIdentifier(name).
std::string QuoteIdentifier(const std::string& name);

// Checks that `where` can only be one boolean expression once wrapped in
// parentheses: no ';', no comments, parentheses balanced and never closed
// below zero, quotes closed — so it cannot end the statement, comment out
// the cutoff, or escape its parentheses (`1) OR (1`). Compiling it against
// the table is the Database's check. Failure: kInvalidArgument saying why.
Status ValidateWhereText(const std::string& where);

// "sqlite:/var/lib/app/app.db" -> "/var/lib/app/app.db"; a relative path
// is taken relative to `base_dir` (the directory of the file that set it),
// like every path in the configuration. Failure: kInvalidArgument for
// another scheme (not supported yet), no scheme, or no path.
StatusOr<std::string> SqlitePathFromUrl(const std::string& url,
                                        const std::string& base_dir);
// The database path of [rows.NAME]'s `database` key, resolved as above.
StatusOr<std::string> DatabasePathOf(const Section& section);

// "unix", "unix_ms", "iso8601", "julianday" and back.
const char* TimeFormatName(TimeFormat format);
TimeFormat ParseTimeFormat(const std::string& name);  // precondition: valid

KindSpec RowsKindSpec();

}  // namespace retention

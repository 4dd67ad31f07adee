// SQL names and texts from the configuration, checked before any of them
// reaches a database: identifiers, the `where` expression, the database URL.
// Pure, thread-safe.
#pragma once

#include <string>

#include "base/status.h"

namespace retention {

// A plain SQL name: [A-Za-z_][A-Za-z0-9_]*, at most 128 characters.
bool IsSqlIdentifier(const std::string& name);
// `name` in double quotes. Precondition: IsSqlIdentifier(name).
std::string QuoteIdentifier(const std::string& name);
// "schema.table" or "table", each part a plain SQL name.
bool IsQualifiedSqlName(const std::string& name);
// Each part in double quotes: "app"."events". Precondition:
// IsQualifiedSqlName(name).
std::string QuoteQualifiedName(const std::string& name);

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

// A `database` value of a kind that speaks both backends.
struct DatabaseUrl {
  enum class Backend { kSqlite, kPostgres };
  Backend backend = Backend::kSqlite;
  std::string path;  // SQLite: the file, resolved as SqlitePathFromUrl does
  std::string uri;   // PostgreSQL: the libpq URI as written (password too)
};

// "sqlite:PATH" as above, or a libpq connection URI ("postgresql://..." or
// "postgres://..."), kept whole: libpq parses it (host, ?host=/socket/dir,
// passfile, sslmode, ...). Failure: kInvalidArgument naming the schemes.
StatusOr<DatabaseUrl> ParseDatabaseUrl(const std::string& url,
                                       const std::string& base_dir);

// `url` fit to print: the password of "scheme://user:PASSWORD@host" and the
// value of any "password=" parameter replaced by "***". Every message,
// log line and status that names a PostgreSQL database uses this.
std::string RedactPassword(const std::string& url);

}  // namespace retention

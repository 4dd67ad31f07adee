// The `database` value of [rows.NAME]: sqlite:PATH or a PostgreSQL URI,
// whose password never reaches a message; schema-qualified names.
#include <catch2/catch.hpp>

#include "sql/sql_names.h"

namespace retention::database_url_test {
namespace {

TEST_CASE("a database URL is sqlite:PATH or a postgresql URI kept whole") {
  auto sqlite = ParseDatabaseUrl("sqlite:app.db", "/etc/retentiond");
  REQUIRE(sqlite.ok());
  CHECK(sqlite->backend == DatabaseUrl::Backend::kSqlite);
  CHECK(sqlite->path == "/etc/retentiond/app.db");
  for (const char* uri :
       {"postgresql://app@/app?host=/run/postgresql",
        "postgres://app:pw@db.example:5433/app?sslmode=verify-full"}) {
    auto pg = ParseDatabaseUrl(uri, "/etc");
    REQUIRE(pg.ok());
    CHECK(pg->backend == DatabaseUrl::Backend::kPostgres);
    CHECK(pg->uri == uri);
  }
  auto bad = ParseDatabaseUrl("mysql://u:secret@h/db", "/etc");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Status::Code::kInvalidArgument);
  CHECK(bad.status().message().find("secret") == std::string::npos);
  CHECK_FALSE(ParseDatabaseUrl("/var/lib/app.db", "/etc").ok());
}

TEST_CASE("a password is redacted from the URI and from its parameters") {
  CHECK(RedactPassword("postgresql://app:s3cret@db:5432/app") ==
        "postgresql://app:***@db:5432/app");
  CHECK(RedactPassword("postgresql://app@db/app") == "postgresql://app@db/app");
  CHECK(RedactPassword("postgresql://db:5432/app") ==
        "postgresql://db:5432/app");
  CHECK(
      RedactPassword("postgresql:///app?user=a&password=x1&sslmode=require") ==
      "postgresql:///app?user=a&password=***&sslmode=require");
  CHECK(RedactPassword("postgresql://a:p@/app?host=/tmp/s") ==
        "postgresql://a:***@/app?host=/tmp/s");
  CHECK(RedactPassword("host=/tmp password=abc dbname=app") ==
        "host=/tmp password=*** dbname=app");
}

TEST_CASE("a table may be schema-qualified, each part quoted") {
  CHECK(IsQualifiedSqlName("events"));
  CHECK(IsQualifiedSqlName("app.events"));
  CHECK_FALSE(IsQualifiedSqlName("a.b.c"));
  CHECK_FALSE(IsQualifiedSqlName(".events"));
  CHECK_FALSE(IsQualifiedSqlName("app.\"x\""));
  CHECK(QuoteQualifiedName("app.events") == "\"app\".\"events\"");
  CHECK(QuoteQualifiedName("events") == "\"events\"");
}

}  // namespace
}  // namespace retention::database_url_test

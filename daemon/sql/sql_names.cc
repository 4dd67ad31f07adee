#include "sql/sql_names.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace retention {
namespace {

constexpr size_t kMaxIdentifier = 128;

// Skips a quoted string or identifier starting at where[i] (the quote);
// returns the index after it, or npos when it is not closed. SQL escapes a
// quote by doubling it, which this reads as two strings back to back.
size_t SkipQuoted(const std::string& where, size_t i) {
  const char close = where[i] == '[' ? ']' : where[i];
  const size_t end = where.find(close, i + 1);
  return end == std::string::npos ? end : end + 1;
}

}  // namespace

bool IsSqlIdentifier(const std::string& name) {
  if (name.empty() || name.size() > kMaxIdentifier) return false;
  if (std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string QuoteIdentifier(const std::string& name) {
  return "\"" + name + "\"";
}

bool IsQualifiedSqlName(const std::string& name) {
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return IsSqlIdentifier(name);
  return IsSqlIdentifier(name.substr(0, dot)) &&
         IsSqlIdentifier(name.substr(dot + 1));
}

std::string QuoteQualifiedName(const std::string& name) {
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return QuoteIdentifier(name);
  return QuoteIdentifier(name.substr(0, dot)) + "." +
         QuoteIdentifier(name.substr(dot + 1));
}

Status ValidateWhereText(const std::string& where) {
  if (where.find_first_not_of(" \t") == std::string::npos) {
    return Status::InvalidArgument("is empty; leave it out to match every row");
  }
  int depth = 0;
  for (size_t i = 0; i < where.size();) {
    const char c = where[i];
    const std::string two = where.substr(i, 2);
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      i = SkipQuoted(where, i);
      if (i == std::string::npos) {
        return Status::InvalidArgument(std::string("has an unclosed ") + c);
      }
      continue;
    }
    if (c == ';') {
      return Status::InvalidArgument(
          "contains ';': it must be one expression, not statements");
    }
    if (two == "--" || two == "/*") {
      return Status::InvalidArgument("contains a comment (" + two + ")");
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) {
      return Status::InvalidArgument("closes a parenthesis it did not open");
    }
    ++i;
  }
  if (depth != 0) return Status::InvalidArgument("has an unclosed '('");
  return Status::Ok();
}

StatusOr<std::string> SqlitePathFromUrl(const std::string& url,
                                        const std::string& base_dir) {
  const size_t colon = url.find(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument(
        "\"" + url + "\" names no backend; write sqlite:/path/to/app.db");
  }
  const std::string scheme = url.substr(0, colon);
  if (scheme != "sqlite") {
    return Status::InvalidArgument(
        "backend \"" + scheme +
        "\" is not supported yet; only sqlite:/path/to/app.db is");
  }
  std::filesystem::path path = url.substr(colon + 1);
  if (path.empty()) {
    return Status::InvalidArgument("names no database file after sqlite:");
  }
  if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
  return path.lexically_normal().string();
}

StatusOr<DatabaseUrl> ParseDatabaseUrl(const std::string& url,
                                       const std::string& base_dir) {
  DatabaseUrl parsed;
  for (const char* scheme : {"postgresql://", "postgres://"}) {
    if (url.rfind(scheme, 0) == 0) {
      parsed.backend = DatabaseUrl::Backend::kPostgres;
      parsed.uri = url;
      return parsed;
    }
  }
  if (url.rfind("sqlite:", 0) != 0) {
    return Status::InvalidArgument(
        "\"" + RedactPassword(url) +
        "\" is not a database URL; write sqlite:/path/to/app.db or "
        "postgresql://user@host/dbname");
  }
  auto path = SqlitePathFromUrl(url, base_dir);
  if (!path.ok()) return path.status();
  parsed.path = *path;
  return parsed;
}

std::string RedactPassword(const std::string& url) {
  std::string out = url;
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = std::min(out.find_first_of("/?", start), out.size());
    const size_t at = out.rfind('@', end);
    const size_t colon = out.find(':', start);
    if (at != std::string::npos && at >= start && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (size_t p = out.find("password="); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    const size_t value = p + 9;
    const size_t end = std::min(out.find_first_of("& ", value), out.size());
    out.replace(value, end - value, "***");
  }
  return out;
}

}  // namespace retention

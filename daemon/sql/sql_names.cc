#include "sql/sql_names.h"

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

}  // namespace retention

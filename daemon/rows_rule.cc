#include "rows_rule.h"

#include <cctype>
#include <filesystem>

#include "delete_brake.h"

namespace retention {
namespace {

constexpr size_t kMaxIdentifier = 128;

struct NamedFormat {
  const char* name;
  TimeFormat format;
};
constexpr NamedFormat kFormats[] = {
    {"unix", TimeFormat::kUnixSeconds},
    {"unix_ms", TimeFormat::kUnixMillis},
    {"iso8601", TimeFormat::kIso8601},
    {"julianday", TimeFormat::kJulianDay},
};

// Skips a quoted string or identifier starting at where[i] (the quote);
// returns the index after it, or npos when it is not closed. SQL escapes a
// quote by doubling it, which this reads as two strings back to back.
size_t SkipQuoted(const std::string& where, size_t i) {
  const char close = where[i] == '[' ? ']' : where[i];
  const size_t end = where.find(close, i + 1);
  return end == std::string::npos ? end : end + 1;
}

}  // namespace

RowsRule RowsRuleFromSection(const Section& section) {
  RowsRule rule;
  rule.target.path = *DatabasePathOf(section);
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

StatusOr<std::string> DatabasePathOf(const Section& section) {
  const ConfigValue& v = section.values.at("database");
  return SqlitePathFromUrl(
      v.raw, std::filesystem::path(v.where.file).parent_path().string());
}

const char* TimeFormatName(TimeFormat format) {
  for (const NamedFormat& f : kFormats) {
    if (f.format == format) return f.name;
  }
  return "?";
}

TimeFormat ParseTimeFormat(const std::string& name) {
  for (const NamedFormat& f : kFormats) {
    if (name == f.name) return f.format;
  }
  return TimeFormat::kUnixSeconds;
}

}  // namespace retention

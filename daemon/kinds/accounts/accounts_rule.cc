#include "kinds/accounts/accounts_rule.h"

#include "config/config_value.h"
#include "config/database_url.h"
#include "core/delete_brake.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

namespace retention {
namespace {

constexpr size_t kMaxAccountId = 200;
constexpr char kIdPlaceholder[] = "{id}";

}  // namespace

std::string DefaultQuarantine(const DataDirPattern& pattern) {
  const std::string& p = pattern.parent;
  const size_t slash = p.rfind('/');
  const std::string above = slash == 0 || slash == std::string::npos
                                ? std::string()
                                : p.substr(0, slash);
  return above + "/.retentiond-quarantine";
}

StatusOr<DataDirPattern> ParseDataDirPattern(const std::string& path) {
  const size_t at = path.find(kIdPlaceholder);
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument("must be an absolute path");
  }
  if (at == std::string::npos) {
    return Status::InvalidArgument(
        "names no {id}; write e.g. /data/users/{id}");
  }
  if (path.find(kIdPlaceholder, at + 1) != std::string::npos) {
    return Status::InvalidArgument("has {id} more than once");
  }
  const size_t slash = path.rfind('/');
  if (slash > at) {
    return Status::InvalidArgument(
        "has {id} outside its last component; the directory holding the "
        "accounts' directories must be fixed");
  }
  DataDirPattern p;
  p.parent = slash == 0 ? "/" : path.substr(0, slash);
  p.prefix = path.substr(slash + 1, at - slash - 1);
  p.suffix = path.substr(at + sizeof kIdPlaceholder - 1);
  return p;
}

StatusOr<CascadeRef> ParseCascadeRef(const std::string& word) {
  const size_t dot = word.find('.');
  if (dot == std::string::npos) {
    return Status::InvalidArgument("\"" + word + "\" is not TABLE.COLUMN");
  }
  CascadeRef ref{word.substr(0, dot), word.substr(dot + 1)};
  if (!IsSqlIdentifier(ref.table) || !IsSqlIdentifier(ref.column)) {
    return Status::InvalidArgument(
        "\"" + word +
        "\": TABLE and COLUMN must be plain SQL names (letters, digits, _)");
  }
  return ref;
}

StatusOr<Assignment> ParseAssignment(const std::string& word) {
  const size_t eq = word.find('=');
  Assignment a;
  a.column = word.substr(0, eq);
  if (!IsSqlIdentifier(a.column)) {
    return Status::InvalidArgument("\"" + word +
                                   "\": the column must be a plain SQL name");
  }
  if (eq != std::string::npos && word.substr(eq + 1) != "NULL") {
    a.value = word.substr(eq + 1);
  }
  return a;
}

bool IsSafeAccountId(const std::string& id) {
  if (id.empty() || id.size() > kMaxAccountId || id == "." || id == "..") {
    return false;
  }
  return std::none_of(id.begin(), id.end(), [](char c) {
    return c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

const char* AccountRowName(AccountRow row) {
  switch (row) {
    case AccountRow::kKeep:
      return "keep";
    case AccountRow::kAnonymize:
      return "anonymize";
    case AccountRow::kDelete:
      break;
  }
  return "delete";
}

AccountsRule AccountsRuleFromSection(const Section& s) {
  AccountsRule rule;
  const DatabaseUrl url = *DatabaseUrlOf(s);
  if (url.backend == DatabaseUrl::Backend::kPostgres) {
    rule.database = RedactPassword(url.uri);
    rule.pg_uri = url.uri;
  } else {
    rule.database = url.path;
  }
  rule.table = s.GetString("table");
  rule.id_column = s.GetString("id_column");
  rule.deleted_column = s.GetString("deleted_column");
  rule.format = ParseTimeFormat(s.GetString("time_format"));
  rule.grace = s.GetDuration("grace");
  rule.min_age = s.GetDuration("min_age");
  if (s.Has("data_dir") && !s.GetStringOrEmpty("data_dir").empty()) {
    rule.data_dir = *ParseDataDirPattern(s.GetString("data_dir"));
    rule.quarantine = s.GetStringOrEmpty("quarantine");
    if (rule.quarantine.empty()) {
      rule.quarantine = DefaultQuarantine(rule.data_dir);
    }
  }
  for (const std::string& w : SplitWords(s.GetStringOrEmpty("cascade"))) {
    rule.cascade.push_back(*ParseCascadeRef(w));
  }
  const std::string row = s.GetString("account_row");
  rule.account_row = row == "keep"        ? AccountRow::kKeep
                     : row == "anonymize" ? AccountRow::kAnonymize
                                          : AccountRow::kDelete;
  for (const std::string& w : SplitWords(s.GetStringOrEmpty("anonymize"))) {
    rule.anonymize.push_back(*ParseAssignment(w));
  }
  rule.every = s.GetDuration("every");
  rule.brake = DeleteBrakeLimitOf(s);
  return rule;
}

}  // namespace retention

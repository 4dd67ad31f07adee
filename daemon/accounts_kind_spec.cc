// AccountsKindSpec (accounts_rule.h): the keys of [accounts] and the checks
// that need no database. Each check reports at the line of the key it is
// about. Whether the tables and columns exist is checked when the policy is
// built (AccountsPolicy), at start and at every reload.
#include "accounts_rule.h"
#include "config_value.h"
#include "delete_brake.h"
#include "rows_rule.h"

namespace retention {
namespace {

using Errors = std::vector<ConfigError>;

void ValidateNames(const Section& s, Errors* errors) {
  for (const char* key : {"table", "id_column", "deleted_column"}) {
    if (IsSqlIdentifier(s.GetString(key))) continue;
    AddKeyError(
        s, key,
        "\"" + s.GetString(key) +
            "\" is not a plain SQL name (letters, digits, _; not starting "
            "with a digit)",
        errors);
  }
  for (const std::string& w : SplitWords(s.GetStringOrEmpty("cascade"))) {
    auto ref = ParseCascadeRef(w);
    if (!ref.ok()) AddKeyError(s, "cascade", ref.status().message(), errors);
  }
}

void ValidateAccountRow(const Section& s, Errors* errors) {
  const std::vector<std::string> words =
      SplitWords(s.GetStringOrEmpty("anonymize"));
  const bool anonymize = s.GetString("account_row") == "anonymize";
  if (anonymize && words.empty()) {
    AddKeyError(s, "anonymize",
                "account_row = anonymize needs the columns to overwrite "
                "(COLUMN for NULL, COLUMN=VALUE)",
                errors);
  }
  if (!anonymize && !words.empty()) {
    AddKeyError(s, "anonymize", "is only used with account_row = anonymize",
                errors);
  }
  for (const std::string& w : words) {
    auto a = ParseAssignment(w);
    if (!a.ok()) {
      AddKeyError(s, "anonymize", a.status().message(), errors);
    } else if (a->column == s.GetString("id_column") ||
               a->column == s.GetString("deleted_column")) {
      AddKeyError(s, "anonymize",
                  "must not overwrite " + a->column +
                      ": the account must stay identifiable as purged",
                  errors);
    }
  }
}

void Validate(const Section& s, Errors* errors) {
  auto path = DatabasePathOf(s);
  if (!path.ok()) AddKeyError(s, "database", path.status().message(), errors);
  ValidateNames(s, errors);
  ValidateAccountRow(s, errors);
  const std::string data_dir = s.GetStringOrEmpty("data_dir");
  if (!data_dir.empty()) {
    auto p = ParseDataDirPattern(data_dir);
    if (!p.ok()) AddKeyError(s, "data_dir", p.status().message(), errors);
  } else if (!s.GetStringOrEmpty("quarantine").empty()) {
    AddKeyError(s, "quarantine", "is only used with data_dir", errors);
  }
  RequirePositiveDurations(s, {"every", "grace"}, errors);
  CheckDeleteBrakeKeys(s, errors);
}

}  // namespace

KindSpec AccountsKindSpec() {
  KindSpec spec;
  spec.kind = "accounts";
  spec.unit = "account";
  spec.singleton = true;
  spec.keys = {
      {"database",
       ValueType::kString,
       "",
       true,
       {},
       "sqlite:PATH of the application database (relative: to this file)"},
      {"table", ValueType::kString, "", true, {}, "the accounts table"},
      {"id_column",
       ValueType::kString,
       "id",
       false,
       {},
       "the column holding an account's id"},
      {"deleted_column",
       ValueType::kString,
       "",
       true,
       {},
       "the time the account was marked deleted (NULL: not deleted)"},
      {"time_format",
       ValueType::kEnum,
       "unix",
       false,
       {"unix", "unix_ms", "iso8601", "julianday"},
       "how deleted_column stores time"},
      {"grace",
       ValueType::kDuration,
       "",
       true,
       {},
       "purge an account this long after it was marked deleted"},
      {"min_age",
       ValueType::kDuration,
       "0",
       false,
       {},
       "floor: never purge an account marked deleted more recently"},
      {"data_dir",
       ValueType::kPath,
       "",
       false,
       {},
       "an account's data directory, with {id} in its last component",
       PathUse::kWritesBesideParent},
      {"quarantine",
       ValueType::kPath,
       "",
       false,
       {},
       "directory on data_dir's filesystem trees are moved into before "
       "removal (default: .retentiond-quarantine beside data_dir's parent)"},
      {"cascade",
       ValueType::kList,
       "",
       false,
       {},
       "TABLE.COLUMN list: rows whose COLUMN is the account id are deleted"},
      {"account_row",
       ValueType::kEnum,
       "delete",
       false,
       {"keep", "delete", "anonymize"},
       "what becomes of the account's own row"},
      {"anonymize",
       ValueType::kList,
       "",
       false,
       {},
       "with account_row = anonymize: COLUMN (set NULL) or COLUMN=VALUE"},
      {"every", ValueType::kDuration, "1h", false, {}, "how often to run"},
  };
  AddDeleteBrakeKeys(&spec);
  spec.validate = Validate;
  return spec;
}

}  // namespace retention

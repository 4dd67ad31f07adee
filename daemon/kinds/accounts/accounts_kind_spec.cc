// AccountsKindSpec (accounts_rule.h): the keys of [accounts] and the checks
// that need no database. Each check reports at the line of the key it is
// about. Whether the tables and columns exist is checked when the policy is
// built (AccountsPolicy), at start and at every reload.
#include "config/config_value.h"
#include "config/database_url.h"
#include "core/delete_brake.h"
#include "core/lateness.h"
#include "kinds/accounts/accounts_rule.h"
#include "sql/sql_names.h"
#include "sql/sql_time.h"

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
  auto url = DatabaseUrlOf(s);
  if (!url.ok()) {
    AddKeyError(s, "database", url.status().message(), errors);
  } else {
    CheckTimeFormatFor(s, *url, errors);
  }
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
  CheckLatenessKeys(s, errors);
}

}  // namespace

KindSpec AccountsKindSpec() {
  KindSpec spec;
  spec.kind = "accounts";
  spec.unit = "account";
  spec.singleton = true;
  spec.keys = {
      {.name = "database",
       .required = true,
       .help =
           "sqlite:PATH (relative: to this file) or a postgresql:// URI of "
           "the application database"},
      {.name = "table", .required = true, .help = "the accounts table"},
      {.name = "id_column",
       .default_value = "id",
       .help = "the column holding an account's id"},
      {.name = "deleted_column",
       .required = true,
       .help = "the time the account was marked deleted (NULL: not deleted)"},
      {.name = "time_format",
       .type = ValueType::kEnum,
       .default_value = "unix",
       .choices = {"unix", "unix_ms", "iso8601", "julianday", "native"},
       .help = "how deleted_column stores time (native: a PostgreSQL "
               "timestamptz, timestamp or date column)"},
      {.name = "grace",
       .type = ValueType::kDuration,
       .required = true,
       .help = "purge an account this long after it was marked deleted"},
      {.name = "min_age",
       .type = ValueType::kDuration,
       .default_value = "0",
       .help = "floor: never purge an account marked deleted more recently"},
      {.name = "data_dir",
       .type = ValueType::kPath,
       .help = "an account's data directory, with {id} in its last component",
       .path_use = PathUse::kWritesBesideParent},
      {.name = "quarantine",
       .type = ValueType::kPath,
       .help = "directory on data_dir's filesystem trees are moved into before "
               "removal (default: .retentiond-quarantine beside data_dir's "
               "parent)"},
      {.name = "cascade",
       .type = ValueType::kList,
       .help = "TABLE.COLUMN list: rows whose COLUMN is the account id are "
               "deleted"},
      {.name = "account_row",
       .type = ValueType::kEnum,
       .default_value = "delete",
       .choices = {"keep", "delete", "anonymize"},
       .help = "what becomes of the account's own row"},
      {.name = "anonymize",
       .type = ValueType::kList,
       .help =
           "with account_row = anonymize: COLUMN (set NULL) or COLUMN=VALUE"},
      {.name = "every",
       .type = ValueType::kDuration,
       .default_value = "1h",
       .help = "how often to run"},
      {.name = "backups_policy",
       .help = "files.NAME: the policy that expires backups; erasure "
               "receipts give the date the last backup holding an "
               "account's data expires",
       .names_policy_of_kind = "files"},
  };
  AddDeleteBrakeKeys(&spec);
  AddLatenessKeys(&spec);
  spec.validate = Validate;
  return spec;
}

}  // namespace retention

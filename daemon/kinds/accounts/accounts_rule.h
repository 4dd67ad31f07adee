// AccountsRule: the settings of the [accounts] section (deferred purge of
// accounts the application marked deleted), and the pure checks on them:
// the data_dir pattern, cascade references, anonymize assignments, account
// ids that can name a directory. The kind's keys and cross-key validation
// are AccountsKindSpec(). Thread-safe (no state).
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/kind_registry.h"
#include "core/policy.h"
#include "sql/sql_time.h"

namespace retention {

enum class AccountRow { kKeep, kDelete, kAnonymize };

// A cascade reference "sessions.user_id": rows of TABLE whose COLUMN equals
// the account id are the account's.
struct CascadeRef {
  std::string table;
  std::string column;
};

// An anonymize assignment: "email" sets the column NULL, "name=deleted"
// sets it to the text "deleted" (bound, never in SQL text).
struct Assignment {
  std::string column;
  std::optional<std::string> value;  // nullopt: NULL
};

// Where an account's data lives: data_dir = PARENT/PREFIX{id}SUFFIX, with
// {id} only in the last component.
struct DataDirPattern {
  std::string parent;  // absolute, fixed
  std::string prefix;
  std::string suffix;

  bool empty() const { return parent.empty(); }
  std::string NameOf(const std::string& id) const {
    return prefix + id + suffix;
  }
  std::string PathOf(const std::string& id) const {
    return (parent == "/" ? "" : parent) + "/" + NameOf(id);
  }
};

struct AccountsRule {
  std::string database;  // the SQLite file, or the redacted PostgreSQL URI
  std::string pg_uri;    // PostgreSQL: the libpq URI (password too); empty:
                         // SQLite
  std::string table;
  std::string id_column;
  std::string deleted_column;
  TimeFormat format = TimeFormat::kUnixSeconds;
  Duration grace{};
  Duration min_age{};       // floor: the grace is never shorter
  DataDirPattern data_dir;  // empty: accounts have no files
  std::string quarantine;   // absolute; meaningful with data_dir
  std::vector<CascadeRef> cascade;
  AccountRow account_row = AccountRow::kDelete;
  std::vector<Assignment> anonymize;
  Duration every{};
  DeleteBrakeLimit brake;
  // Not a configuration key: a data directory absent at planning and at
  // execution counts as absent only if nothing was added, removed or
  // renamed beside it for this long (accounts_quarantine.h). Tests lower it.
  Duration absent_quiet = std::chrono::seconds(2);

  // An account is due once its deleted time is this far in the past.
  Duration deadline() const { return std::max(grace, min_age); }
};

// The marker appended to an account id to name its tree in quarantine.
inline constexpr const char* kQuarantineMarker = ".retentiond-purge";
// The default quarantine: ".retentiond-quarantine" beside the data_dir
// pattern's parent (/data/users/{id} -> /data/.retentiond-quarantine).
std::string DefaultQuarantine(const DataDirPattern& pattern);

// Parses an absolute data_dir pattern. Failure: kInvalidArgument saying
// why ({id} missing, twice, or outside the last component).
StatusOr<DataDirPattern> ParseDataDirPattern(const std::string& path);
// "sessions.user_id" -> {sessions, user_id}; plain SQL names only.
StatusOr<CascadeRef> ParseCascadeRef(const std::string& word);
// "email" or "name=deleted" (no spaces in the value; "NULL" is NULL).
StatusOr<Assignment> ParseAssignment(const std::string& word);
// True when `id` can name a directory entry: not empty, not "." or "..",
// no '/', no NUL, no control characters, at most 200 bytes.
bool IsSafeAccountId(const std::string& id);

const char* AccountRowName(AccountRow row);

// Precondition: `section` is an [accounts] section validated at load.
AccountsRule AccountsRuleFromSection(const Section& section);

KindSpec AccountsKindSpec();

}  // namespace retention

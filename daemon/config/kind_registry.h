// KindRegistry: what each section kind accepts. A policy kind registers its
// keys (type, default, whether required), a validator for rules that span
// keys, and a factory that builds its Policy, in one call from its own file
// (e.g. RegisterFilesKind in files_policy.cc); the parser and the daemon
// learn about kinds only through here. Built once at start, then read-only.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"

namespace retention {

class Policy;
struct Services;

enum class ValueType {
  kString,
  kPath,      // made absolute relative to the file that set it
  kPathList,  // whitespace-separated paths or globs, each made absolute
  kList,      // whitespace-separated words
  kSize,
  kDuration,
  kBool,
  kInt,
  kFraction,
  kSpace,  // a size or a percentage of a filesystem (SpaceLimit)
  kEnum,   // one of KeySpec::choices
};

const char* ValueTypeName(ValueType type);

// What the daemon does at a path-typed key's path, so that
// `retentiond --print-unit-paths` can grant exactly the directories it
// writes in under ProtectSystem=strict, and those it reads beneath the home
// directories that ProtectHome=tmpfs hides (see unit_paths.h).
enum class PathUse {
  kWritesBeside,  // a file the daemon writes, creates or deletes beside
  kWritesIn,      // a directory the daemon writes, creates or deletes in
  kReadsOnly,     // a file read, never written (a pid file)
  kReadsIn,       // a directory read, never written (occupancy's root)
  // Beside the path's parent, and in it: [accounts] data_dir, whose
  // directories are renamed into a quarantine beside their parent.
  kWritesBesideParent,
};

struct KeySpec {
  std::string name;
  ValueType type = ValueType::kString;
  std::string default_value;  // empty: no default
  bool required = false;
  std::vector<std::string> choices;           // kEnum
  std::string help;                           // one line, for --print-config
  PathUse path_use = PathUse::kWritesBeside;  // kPath and kPathList only
  // A family of keys: name is "PREFIX.PLACEHOLDER" (e.g. "quota.USER") and
  // matches every "PREFIX.x" written in a section (quota.alice). Never
  // required and without default.
  bool prefix = false;
  // An empty value is allowed and means "off" (control_socket =); without
  // this, an empty value of any type but string and list is an error.
  bool empty_disables = false;
  // A reference to another policy: the value must be "KIND.NAME" naming a
  // configured section of this kind (checked once every section is read).
  std::string names_policy_of_kind = "";
};

using SectionValidator =
    std::function<void(const Section&, std::vector<ConfigError>*)>;

// For validators: an error about `key` of `s`, located where the key was
// set (or at the section's header when it was not).
void AddKeyError(const Section& s, const std::string& key, std::string message,
                 std::vector<ConfigError>* errors);
// "must be greater than 0" for each of the duration `keys` that is not.
void RequirePositiveDurations(const Section& s,
                              std::initializer_list<const char*> keys,
                              std::vector<ConfigError>* errors);
// "must start with an absolute path" for each of the command `keys` that is
// set (a command runs without a shell: words split on whitespace).
void RequireAbsoluteCommands(const Section& s,
                             std::initializer_list<const char*> keys,
                             std::vector<ConfigError>* errors);
using PolicyFactory =
    std::function<StatusOr<std::unique_ptr<Policy>>(const Section&, Services&)>;

// Checks, read-only, what a policy needs beyond its configuration (its
// application databases: table, columns, index, `where`), as its factory
// does at start or its runs would; each error is added at the line of the
// key it is about (AddKeyError). --check-config runs it.
using ExternalCheck =
    std::function<void(const Section&, std::vector<ConfigError>*)>;

// Adds the policies a kind builds over the others, from the [daemon]
// section (the logs kind: keep_free over every log set), to *policies.
using DaemonPolicies =
    std::function<void(const Section& daemon, Services&,
                       std::vector<std::shared_ptr<Policy>>* policies)>;

// Violations of a kind's promises that its plan cannot show, found
// read-only (the accounts kind: an account purged whose data directory or
// row came back), one line each; `retentionctl audit` runs it after the
// plan (audit.h).
using AuditCheck = std::function<StatusOr<std::vector<std::string>>(
    const Section&, Services&, WallTime now)>;

struct KindSpec {
  std::string kind;
  bool singleton = false;  // written [occupancy], not [occupancy.NAME]
  std::vector<KeySpec> keys;
  SectionValidator validate;    // may be empty
  PolicyFactory factory;        // empty for [daemon]
  ExternalCheck check;          // may be empty
  DaemonPolicies add_policies;  // may be empty
  AuditCheck audit;             // may be empty
  // Its runs rotate files: the metrics count its rotations.
  bool rotates = false;
  // What its runs count, singular, for summaries: "row", "file", "user".
  std::string unit = "item";
};

// The key every policy kind accepts (added by Register): the promise the
// policy keeps, in the privacy policy's words; shown, never interpreted.
inline constexpr char kDescriptionKey[] = "description";

class KindRegistry {
 public:
  // Precondition: no kind of that name yet. A kind with a factory (a
  // policy kind) also gets kDescriptionKey.
  void Register(KindSpec spec);
  const KindSpec* Find(const std::string& kind) const;
  const std::vector<KindSpec>& kinds() const { return kinds_; }

 private:
  std::vector<KindSpec> kinds_;
};

// The spec of `key`: the key of that exact name, else the prefix key whose
// prefix matches ("quota.alice" -> "quota.USER"); null if none.
const KeySpec* FindKey(const KindSpec& spec, const std::string& key);

// The registry with [daemon] and every built-in policy kind.
KindRegistry BuiltinRegistry();

}  // namespace retention
